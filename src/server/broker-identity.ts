import type { FastifyInstance, FastifyRequest } from 'fastify';

/** This server as Pinot's broker lists itself: `Broker_<host>_<port>`, its host and port. */
export interface BrokerInstance {
  readonly instanceName: string;
  readonly host: string;
  readonly port: number;
}

/**
 * The broker instance a client reached: the address the server listens on (or, when it listens
 * on every interface or not at all, as under `inject`, the request's Host header), so the
 * `/v2/brokers/...` answers and a broker response's `brokerId` name an address the client can use.
 */
export function brokerInstance(app: FastifyInstance, request: FastifyRequest): BrokerInstance {
  const address = app.server.address();
  const listening = typeof address === 'object' && address !== null ? address : null;
  const hostHeader = request.headers.host ?? '';
  const host = listening?.address && listening.address !== '::' && listening.address !== '0.0.0.0' ? listening.address : request.hostname.replace(/:\d+$/, '') || 'localhost';
  const port = listening?.port ?? (Number(/:(\d+)$/.exec(hostHeader)?.[1]) || 9000);
  return { instanceName: `Broker_${host}_${port}`, host, port };
}
