package io.github.sqlitecanary;

/**
 * What the canary found for one database. Every state but {@link #DISABLED} and {@link #VERIFIED}
 * holds the application back (readiness DOWN).
 */
public enum CanaryState {
    /** {@code sqlite.canary.enabled=false}: nothing was read or written. */
    DISABLED(true),
    /** No database configured, or a configuration value that cannot be used. */
    MISCONFIGURED(false),
    /** An in-memory or temporary database: it cannot outlive the process. */
    EPHEMERAL_DATABASE(false),
    /** The database's directory does not exist: most likely a volume that is not mounted. */
    VOLUME_MISSING(false),
    /** The database lives on storage that never survives a redeploy (overlay layer, tmpfs, emptyDir). */
    EPHEMERAL_FILESYSTEM(false),
    /** The database file itself is a bind mount: its journal and WAL files land beside it, off the volume. */
    SINGLE_FILE_MOUNT(false),
    /** The database cannot be read, is not SQLite, cannot take the marker, or stays locked. */
    DATABASE_UNUSABLE(false),
    /** The lock directory or lock file cannot be used safely. */
    LOCK_UNUSABLE(false),
    /** First boot: lock and marker written; a redeploy must now prove persistence. */
    FIRST_BOOT(false),
    /** No marker but a lock from an earlier boot: the database was lost or replaced. */
    DATABASE_NOT_KEPT(false),
    /** The marker is not verified yet and the lock is still there (or this is a restart, not a redeploy). */
    AWAITING_REDEPLOY(false),
    /** Persistence proven: the database kept its marker while the temporary directory was wiped. */
    VERIFIED(true),
    /**
     * {@code sqlite.canary.expect-verified=true} and the database carries no marker or does not
     * exist: a database verified before was lost or replaced. Nothing is written.
     */
    DATABASE_LOST(false),
    /** At run time: the verified database file was deleted or replaced under the running application. */
    DATABASE_VANISHED(false);

    private final boolean up;

    CanaryState(boolean up) {
        this.up = up;
    }

    /** {@return whether this state lets the application become ready} */
    public boolean isUp() {
        return up;
    }
}
