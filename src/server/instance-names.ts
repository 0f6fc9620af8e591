/** Pinot's instance names of a server reached at `url`: it is both a broker and a server. */
export function instanceNames(url: string): { broker: string; server: string; host: string; port: number } {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  return { broker: `Broker_${host}_${port}`, server: `Server_${host}_${port}`, host, port };
}
