/*
 * shardtable's one native helper: glibc's malloc_trim(0) and its mmap threshold (mallopt) for
 * Node, through Node-API.
 *
 * The block cache frees decoded sections as it evicts them; glibc's allocator keeps the freed
 * pages inside its heap (they are reused, not returned), so the process's resident size grows to
 * the allocator's high-water mark. malloc_trim(0) returns every whole free page of every arena to
 * the system (madvise). Elsewhere than glibc the call does nothing and answers false.
 * See docs/decisions.md, "Freed memory returned to the system".
 */
#include <node_api.h>
#include <limits.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static int trim_now(void) {
#ifdef __GLIBC__
  return malloc_trim(0);
#else
  return 0;
#endif
}

/* trim(): true when memory was returned to the system. */
static napi_value Trim(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_get_boolean(env, trim_now() != 0, &result);
  return result;
}

/* trimAsync(): the same on a libuv thread, so the JavaScript thread runs on meanwhile (a trim of a
 * GiB heap takes tens of ms); resolves true when memory was returned. */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int released;
} TrimJob;

static void TrimExecute(napi_env env, void* data) {
  (void)env;
  ((TrimJob*)data)->released = trim_now();
}

static void TrimComplete(napi_env env, napi_status status, void* data) {
  TrimJob* job = (TrimJob*)data;
  napi_value result;
  napi_get_boolean(env, status == napi_ok && job->released != 0, &result);
  napi_resolve_deferred(env, job->deferred, result);
  napi_delete_async_work(env, job->work);
  free(job);
}

static napi_value TrimAsync(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value promise, name;
  TrimJob* job = (TrimJob*)calloc(1, sizeof(TrimJob));
  if (job == NULL) {
    napi_throw_error(env, NULL, "malloc_trim: out of memory");
    return NULL;
  }
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "shardtable:malloc_trim", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, TrimExecute, TrimComplete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

/* mmapThreshold(bytes): fixes glibc's mmap threshold (mallopt M_MMAP_THRESHOLD): allocations of at
 * least `bytes` get their own mapping, returned to the system the moment they are freed, and the
 * threshold no longer rises as mapped chunks are freed (glibc's default lifts it to the largest
 * chunk freed, up to 32 MiB, after which decoded sections land in the heap and fragment it).
 * True when set. */
static napi_value MmapThreshold(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  int64_t bytes = 0;
  int ok = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  /* mallopt takes an int: a larger value must not wrap to 0 (every allocation mapped). */
  if (argc < 1 || napi_get_value_int64(env, argv[0], &bytes) != napi_ok || bytes <= 0 || bytes > INT_MAX) {
    napi_throw_type_error(env, NULL, "mmapThreshold: expects a positive number of bytes, at most 2^31 - 1");
    return NULL;
  }
#ifdef __GLIBC__
  ok = mallopt(M_MMAP_THRESHOLD, (int)bytes);
#endif
  napi_get_boolean(env, ok != 0, &result);
  return result;
}

/* supported(): true when this build calls glibc's malloc_trim (false: trim() does nothing). */
static napi_value Supported(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
#ifdef __GLIBC__
  napi_get_boolean(env, 1, &result);
#else
  napi_get_boolean(env, 0, &result);
#endif
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "trim", NAPI_AUTO_LENGTH, Trim, NULL, &fn);
  napi_set_named_property(env, exports, "trim", fn);
  napi_create_function(env, "trimAsync", NAPI_AUTO_LENGTH, TrimAsync, NULL, &fn);
  napi_set_named_property(env, exports, "trimAsync", fn);
  napi_create_function(env, "mmapThreshold", NAPI_AUTO_LENGTH, MmapThreshold, NULL, &fn);
  napi_set_named_property(env, exports, "mmapThreshold", fn);
  napi_create_function(env, "supported", NAPI_AUTO_LENGTH, Supported, NULL, &fn);
  napi_set_named_property(env, exports, "supported", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
