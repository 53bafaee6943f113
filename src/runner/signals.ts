/**
 * Ctrl-C and SIGTERM: the first one cancels (the runner aborts each running node and the adapter
 * cancels its operations on the server); a second one exits at once.
 */
export interface SignalSource {
  on(event: NodeJS.Signals, listener: () => void): unknown;
  off(event: NodeJS.Signals, listener: () => void): unknown;
}

export interface CancelHandle {
  /** The signal that cancelled the run, if any. */
  readonly received: NodeJS.Signals | null;
  dispose(): void;
}

export function onCancelSignals(
  onFirst: (signal: NodeJS.Signals) => void,
  options: { source?: SignalSource; onSecond?: (signal: NodeJS.Signals) => void } = {},
): CancelHandle {
  const source = options.source ?? process;
  let received: NodeJS.Signals | null = null;
  const make = (signal: NodeJS.Signals) => () => {
    if (received === null) {
      received = signal;
      onFirst(signal);
    } else {
      (options.onSecond ?? ((s) => process.exit(s === 'SIGINT' ? 130 : 143)))(signal);
    }
  };
  const onInt = make('SIGINT');
  const onTerm = make('SIGTERM');
  source.on('SIGINT', onInt);
  source.on('SIGTERM', onTerm);
  return {
    get received() {
      return received;
    },
    dispose() {
      source.off('SIGINT', onInt);
      source.off('SIGTERM', onTerm);
    },
  };
}
