package io.github.sqlitecanary.internal;

/**
 * The steps of a first boot, in their fail-safe order: the lock is on disk before the marker is
 * committed. The crash tests stop a process at each of them, as a crash there would.
 */
public enum FirstBootStep {
    TRANSACTION_BEGUN, MARKER_INSERTED, LOCK_CREATED, LOCK_FORCED, DIRECTORY_FORCED, COMMITTED;

    /** Told of each step as it is reached; in production, nobody is. */
    @FunctionalInterface
    public interface Listener {

        Listener NONE = step -> { };

        void reached(FirstBootStep step);
    }
}
