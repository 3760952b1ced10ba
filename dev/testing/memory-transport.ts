/** A winston transport that keeps formatted log lines in memory, for assertions. */
import Transport from 'winston-transport';

export class MemoryTransport extends Transport {
  lines: Record<string, unknown>[] = [];
  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    this.lines.push(JSON.parse(String(info[Symbol.for('message')])) as Record<string, unknown>);
    next();
  }
}
