// A listen() that fails because the address is taken or not allowed names the setting that moves it.

export interface ListenTarget {
  /** what listens, e.g. "admin API" */
  what: string;
  host: string;
  port: number;
  /** how an operator changes it, e.g. "SLUICE_PORT or --port" */
  setting: string;
  /** a second way out, when there is one */
  alternative?: string;
}

export async function listenExplained<T>(target: ListenTarget, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const at = `${target.host}:${target.port}`;
    const tail = target.alternative ? `, or ${target.alternative}` : '';
    if (code === 'EADDRINUSE') throw new Error(`${target.what}: port ${target.port} on ${target.host} is already in use (another Sluice or another program listens on ${at}); choose another port with ${target.setting}${tail}`, { cause: e });
    if (code === 'EACCES') throw new Error(`${target.what}: not allowed to listen on ${at} (ports below 1024 need privileges); choose another port with ${target.setting}${tail}`, { cause: e });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new Error(`${target.what}: ${target.host} is not an address of this machine; change it or the port with ${target.setting}`, { cause: e });
    throw e;
  }
}
