package io.github.sqlitecanary;

import io.github.sqlitecanary.internal.FileIdentity;
import java.util.List;
import java.util.Objects;

/**
 * The canary's verdict on one database: plain immutable data that the CDI adapter, the readiness
 * check and the command line only translate.
 *
 * <p>{@code database} never holds a JDBC URL's query string (it may carry keys).
 */
public final class CanaryReport {

    /** Shown for a detail that does not apply, such as the lock of a disabled canary. */
    public static final String NONE = "-";

    private final CanaryState state;
    private final String database;
    private final String lock;
    private final String filesystem;
    private final String message;
    private final List<String> warnings;
    /** The verified database file and its identity (device and inode), for the run-time re-check. */
    private final FileIdentity verifiedFile;

    CanaryReport(CanaryState state, String database, String lock, String filesystem, String message,
            List<String> warnings, FileIdentity verifiedFile) {
        this.state = Objects.requireNonNull(state, "state");
        this.database = Objects.requireNonNull(database, "database");
        this.lock = Objects.requireNonNull(lock, "lock");
        this.filesystem = Objects.requireNonNull(filesystem, "filesystem");
        this.message = Objects.requireNonNull(message, "message");
        this.warnings = List.copyOf(warnings);
        this.verifiedFile = verifiedFile;
    }

    public CanaryState state() {
        return state;
    }

    /** Whether this database lets the application become ready. */
    public boolean isUp() {
        return state.isUp();
    }

    /** The database as configured: a path or a JDBC URL without its query string. */
    public String database() {
        return database;
    }

    /** The lock file, or {@value #NONE} where none applies. */
    public String lock() {
        return lock;
    }

    /** The file system that holds the database, such as {@code ext4 on /data}, or {@code unknown}. */
    public String filesystem() {
        return filesystem;
    }

    /** The guidance for a person: what was found and what to do. */
    public String message() {
        return message;
    }

    /** Findings that do not change the verdict. */
    public List<String> warnings() {
        return warnings;
    }

    FileIdentity verifiedFile() {
        return verifiedFile;
    }

    CanaryReport withState(CanaryState newState, String newMessage) {
        return new CanaryReport(newState, database, lock, filesystem, newMessage, warnings, null);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CanaryReport that
                && state == that.state
                && database.equals(that.database)
                && lock.equals(that.lock)
                && filesystem.equals(that.filesystem)
                && message.equals(that.message)
                && warnings.equals(that.warnings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(state, database, lock, filesystem, message, warnings);
    }

    @Override
    public String toString() {
        return state + " " + database + ": " + message;
    }
}
