/** TEST FIXTURE. The error Node throws when a process is out of file descriptors. */
export function emfile(where: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EMFILE: too many open files, open '/node_modules/zstd-napi/index.js' (${where})`), { code: 'EMFILE', errno: -24, syscall: 'open' });
}
