package io.github.sqlitecanary.internal;

/**
 * Named steps of a first boot where a crash test may halt the process, as a kill would.
 *
 * <p>Only the crash-consistency tests set {@value #PROPERTY}; in production it is never set and
 * {@link #reach} does nothing.
 */
public final class CrashPoint {

    public static final String PROPERTY = "sqlite.canary.test.halt-at";

    public static final String TRANSACTION_BEGUN = "transaction-begun";
    public static final String MARKER_INSERTED = "marker-inserted";
    public static final String LOCK_CREATED = "lock-created";
    public static final String LOCK_FORCED = "lock-forced";
    public static final String DIRECTORY_FORCED = "directory-forced";
    public static final String COMMITTED = "committed";

    private static final String HALT_AT = System.getProperty(PROPERTY);

    private CrashPoint() {
    }

    public static void reach(String step) {
        if (step.equals(HALT_AT)) {
            Runtime.getRuntime().halt(86);
        }
    }
}
