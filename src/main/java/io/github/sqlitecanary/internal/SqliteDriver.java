package io.github.sqlitecanary.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Whether sqlite-jdbc and its native library can be used, asked before any connection is opened.
 *
 * <p>sqlite-jdbc extracts its native library into {@code org.sqlite.tmpdir} (by default
 * {@code java.io.tmpdir}) and loads it from there; a read-only or {@code noexec} temporary
 * directory (read-only root file systems, Docker's {@code --tmpfs}) makes that fail, and the
 * driver then logs two stack traces and fails every connection with a message that blames the
 * database. Only reflection here, so that a missing driver is a finding, not a
 * {@code NoClassDefFoundError}.
 */
public final class SqliteDriver {

    private static final String LOADER = "org.sqlite.SQLiteJDBCLoader";
    private static volatile boolean loaded;

    private SqliteDriver() {
    }

    /** Why SQLite cannot be used in this process; empty if it can. Loads the native library once. */
    public static Optional<String> problem() {
        if (loaded) {
            return Optional.empty();
        }
        Class<?> loader;
        try {
            loader = Class.forName(LOADER, true, SqliteDriver.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.of("the SQLite JDBC driver (org.xerial:sqlite-jdbc) is not on the application's class "
                    + "path. Add it to the application");
        }
        // The driver logs the failure itself, with stack traces; the canary says it once, with the fix.
        Logger driverLog = Logger.getLogger(LOADER);
        Level before = driverLog.getLevel();
        driverLog.setLevel(Level.OFF);
        try {
            if (Boolean.TRUE.equals(loader.getMethod("initialize").invoke(null))) {
                loaded = true;
                return Optional.empty();
            }
        } catch (ReflectiveOperationException | LinkageError e) {
            // explained below
        } finally {
            driverLog.setLevel(before);
        }
        Path directory = Path.of(System.getProperty("org.sqlite.tmpdir", System.getProperty("java.io.tmpdir")));
        return Optional.of(nativeLibraryMessage(directory, Files.isWritable(directory)));
    }

    static String nativeLibraryMessage(Path directory, boolean writable) {
        return "SQLite's native library (sqlite-jdbc) cannot be loaded: the driver extracts it into " + directory
                + ", which " + (writable ? "does not allow executing files (mounted noexec)"
                        : "is not writable (a read-only file system)")
                + ". Give the driver a writable directory that allows executing files: start the JVM with "
                + "-Dorg.sqlite.tmpdir=DIR, or mount the temporary directory with exec (docker run --tmpfs /tmp:exec)";
    }
}
