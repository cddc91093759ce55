// A stack of undo steps for multi-step acquisitions (containerd's rollback-on-error): each step that takes a
// resource pushes how to give it back, and a failure unwinds everything taken so far, newest first.

export interface RollbackStep {
  name: string;
  undo: () => Promise<void>;
}

export class Rollback {
  #steps: RollbackStep[] = [];

  push(name: string, undo: () => Promise<void>): void {
    this.#steps.push({ name, undo });
  }

  get size(): number {
    return this.#steps.length;
  }

  /**
   * Runs the undo steps in reverse order and forgets them. Never throws: a failed step must not stop the
   * others from running, so failures are collected (each wrapped with the step's name) for the caller to report.
   */
  async unwind(): Promise<Error[]> {
    const steps = this.#steps.reverse();
    this.#steps = [];
    const errors: Error[] = [];
    for (const step of steps) {
      try {
        await step.undo();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        errors.push(new Error(`rollback of ${step.name} failed: ${message}`, { cause: err }));
      }
    }
    return errors;
  }

  /** The acquisition succeeded: the resources now belong to the caller. */
  release(): void {
    this.#steps = [];
  }
}
