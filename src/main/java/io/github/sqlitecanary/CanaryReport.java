package io.github.sqlitecanary;

import io.github.sqlitecanary.internal.FileIdentity;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The canary's verdict on one database: plain immutable data that the CDI adapter, the readiness
 * check and the command line only translate.
 *
 * <p>{@code database} never holds a JDBC URL's query string (it may carry keys). Every text is
 * printable: control characters in paths and mount points are escaped ({@code \n}, {@code \u0007}),
 * so that no report can forge a log line or move a terminal's cursor.
 */
public final class CanaryReport {

    /** Shown for a detail that does not apply, such as the lock of a disabled canary. */
    public static final String NONE = "-";

    /** The {@link #platform()} where no deploy platform was recognised. */
    public static final String NO_PLATFORM = "none";

    private final CanaryState state;
    private final String database;
    private final String lock;
    private final String filesystem;
    private final String message;
    private final List<String> warnings;
    /** The verified database file and its identity (device and inode), for the run-time re-check. */
    private final FileIdentity verifiedFile;
    /** What went wrong inside the canary itself, for the log; null for every ordinary verdict. */
    private final Throwable internalError;
    private final String platform;
    private final String deployId;

    CanaryReport(CanaryState state, String database, String lock, String filesystem, String message,
            List<String> warnings, FileIdentity verifiedFile, Throwable internalError) {
        this(state, database, lock, filesystem, message, warnings, verifiedFile, internalError, NO_PLATFORM, NONE);
    }

    CanaryReport(CanaryState state, String database, String lock, String filesystem, String message,
            List<String> warnings, FileIdentity verifiedFile, Throwable internalError, String platform,
            String deployId) {
        this.platform = printable(Objects.requireNonNull(platform, "platform"));
        this.deployId = printable(Objects.requireNonNull(deployId, "deployId"));
        this.state = Objects.requireNonNull(state, "state");
        this.database = printable(Objects.requireNonNull(database, "database"));
        this.lock = printable(Objects.requireNonNull(lock, "lock"));
        this.filesystem = printable(Objects.requireNonNull(filesystem, "filesystem"));
        this.message = printable(Objects.requireNonNull(message, "message"));
        this.warnings = warnings.stream().map(CanaryReport::printable).toList();
        this.verifiedFile = verifiedFile;
        this.internalError = internalError;
    }

    /**
     * The report of a canary that could not run at all, such as when its configuration cannot be
     * read: DOWN, with the cause kept for the log ({@link #internalError()}).
     *
     * @param error the cause
     * @return a DOWN report naming the cause
     */
    public static CanaryReport ofInternalError(Throwable error) {
        return new CanaryReport(CanaryState.DATABASE_UNUSABLE, NONE, NONE, "unknown",
                Guidance.internalError("(the configured databases)", error), List.of(), null, error);
    }

    /** Escapes control characters, as the JSON and Java string syntax do. */
    static String printable(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                if (out == null) {
                    out = new StringBuilder(text.substring(0, i));
                }
                switch (c) {
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> out.append(String.format("\\u%04x", (int) c));
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** {@return the verdict for this database} */
    public CanaryState state() {
        return state;
    }

    /** {@return whether this database lets the application become ready} */
    public boolean isUp() {
        return state.isUp();
    }

    /** {@return the database as configured: a path or a JDBC URL without its query string} */
    public String database() {
        return database;
    }

    /** {@return the lock file, or {@value #NONE} where none applies} */
    public String lock() {
        return lock;
    }

    /** {@return the file system that holds the database, such as {@code ext4 on /data}, or {@code unknown}} */
    public String filesystem() {
        return filesystem;
    }

    /** {@return the guidance for a person: what was found and what to do} */
    public String message() {
        return message;
    }

    /**
     * The deploy platform recognised from its documented signals, such as {@code Fly.io} or
     * {@code Kubernetes}, or {@value #NO_PLATFORM}.
     *
     * @return the platform's name
     */
    public String platform() {
        return platform;
    }

    /**
     * The deploy identifier this boot was judged with and where it came from, such as
     * {@code app:deployment-01H (FLY_IMAGE_REF)}, or {@value #NONE}.
     *
     * @return the deploy identifier and its source
     */
    public String deployId() {
        return deployId;
    }

    /** {@return findings that do not change the verdict} */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The exception behind a report that the canary could not judge because of a defect of its
     * own or of its environment (a missing class, an unexpected runtime exception); empty for
     * every verdict. Adapters log it; it is never shown as a stack trace to a person.
     *
     * @return the exception, if the canary could not judge
     */
    public Optional<Throwable> internalError() {
        return Optional.ofNullable(internalError);
    }

    FileIdentity verifiedFile() {
        return verifiedFile;
    }

    CanaryReport withState(CanaryState newState, String newMessage) {
        return new CanaryReport(newState, database, lock, filesystem, newMessage, warnings, null, null, platform,
                deployId);
    }

    CanaryReport withWarning(String warning) {
        List<String> more = new java.util.ArrayList<>(warnings);
        more.add(warning);
        return new CanaryReport(state, database, lock, filesystem, message, more, verifiedFile, internalError,
                platform, deployId);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CanaryReport that
                && state == that.state
                && database.equals(that.database)
                && lock.equals(that.lock)
                && filesystem.equals(that.filesystem)
                && message.equals(that.message)
                && warnings.equals(that.warnings)
                && platform.equals(that.platform)
                && deployId.equals(that.deployId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(state, database, lock, filesystem, message, warnings, platform, deployId);
    }

    @Override
    public String toString() {
        return state + " " + database + ": " + message;
    }
}
