package io.github.sqlitecanary.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.sqlitecanary.CanaryOptions;
import io.github.sqlitecanary.CanaryReport;
import io.github.sqlitecanary.CanaryState;
import io.github.sqlitecanary.PersistenceCanary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The proof that the canary never touches the user's data: every user table, index and persistent
 * setting hashes the same before and after each cycle, and the database file's bytes do not change
 * at all where the canary has nothing to write (status, the verified path, every failure).
 */
class DataSafetyTest {

    @TempDir
    Path root;
    Path database;
    Path locks;
    String journalMode;

    private PersistenceCanary canary(String... keyValues) {
        Map<String, String> config = new HashMap<>(Map.of(CanaryOptions.DATABASE, database.toString(),
                CanaryOptions.LOCK_DIR, locks.toString(), CanaryOptions.FILESYSTEM_CHECK, "false",
                CanaryOptions.BUSY_TIMEOUT, "300"));
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put(keyValues[i], keyValues[i + 1]);
        }
        return new PersistenceCanary(CanaryOptions.fromConfig(key -> Optional.ofNullable(config.get(key))));
    }

    @ParameterizedTest(name = "{0} journal")
    @ValueSource(strings = {"delete", "wal"})
    void userDataAndSettingsSurviveEveryCycleAndTheFileIsUntouchedWhereNothingIsWritten(String journalMode)
            throws Exception {
        this.journalMode = journalMode;
        database = Files.createDirectories(root.resolve("data")).resolve("app.db");
        locks = root.resolve("locks");
        UserDatabase.create(database, journalMode);
        String userData = UserDatabase.fingerprint(database);

        // before the first boot: status and every failure leave the file as it is
        assertUntouched("status before the first boot", CanaryState.FIRST_BOOT, () -> canary().status().get(0));
        assertFailuresLeaveTheFileUntouched(CanaryState.FIRST_BOOT);

        // first boot: the marker is written, the user's data is not touched
        assertEquals(CanaryState.FIRST_BOOT, canary().check().get(0).state());
        assertEquals(userData, UserDatabase.fingerprint(database), "after the first boot");
        assertUntouched("status after the first boot", CanaryState.AWAITING_REDEPLOY, () -> canary().status().get(0));

        // restart: still waiting, data unchanged
        assertEquals(CanaryState.AWAITING_REDEPLOY, canary().check().get(0).state());
        assertEquals(userData, UserDatabase.fingerprint(database), "after a restart");
        assertFailuresLeaveTheFileUntouched(CanaryState.AWAITING_REDEPLOY);

        // redeploy: verified (and recorded in the canary's own row), data unchanged
        CrashConsistencyTest.deleteTree(locks);
        assertEquals(CanaryState.VERIFIED, canary().check().get(0).state());
        assertEquals(userData, UserDatabase.fingerprint(database), "after the redeploy");

        // the verified path and status are read-only: the same bytes, no journal, no lock
        assertUntouched("the verified path", CanaryState.VERIFIED, () -> canary().check().get(0));
        assertUntouched("status once verified", CanaryState.VERIFIED, () -> canary().status().get(0));
        assertFalse(Files.exists(locks), "the verified path created the lock directory");
        assertUntouched("misconfigured once verified", CanaryState.MISCONFIGURED,
                () -> canary(CanaryOptions.ON_FAILURE, "explode").check().get(0));
        assertUntouched("busy once verified", busy(CanaryState.VERIFIED), this::checkWhileAnotherWriterHoldsIt);

        assertEquals(userData, UserDatabase.fingerprint(database), "at the end");
        assertEquals(1, UserDatabase.markerRows(database));
    }

    /**
     * @param readState the state reached by reading alone at this point of the cycle
     */
    private void assertFailuresLeaveTheFileUntouched(CanaryState readState) throws Exception {
        assertUntouched("misconfigured", CanaryState.MISCONFIGURED,
                () -> canary(CanaryOptions.TABLE, "x; DROP TABLE notes").check().get(0));
        assertUntouched("busy", busy(readState), this::checkWhileAnotherWriterHoldsIt);

        boolean hadLocks = Files.exists(locks);
        Files.createDirectories(locks);
        Files.setPosixFilePermissions(locks, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertUntouched("lock directory writable by others", CanaryState.LOCK_UNUSABLE,
                () -> canary().check().get(0));
        Files.setPosixFilePermissions(locks, PosixFilePermissions.fromString("rwx------"));
        if (!hadLocks) {
            Files.delete(locks);
        }
    }

    /**
     * The state while another connection holds the write lock: in rollback-journal mode it keeps
     * readers out too, so the canary reports the busy timeout; in WAL mode readers go on, so a
     * state that needs no write is still reached, and only a first boot runs into the timeout.
     */
    private CanaryState busy(CanaryState readState) {
        return journalMode.equals("wal") && readState != CanaryState.FIRST_BOOT ? readState
                : CanaryState.DATABASE_UNUSABLE;
    }

    /** A connection holds the write lock (and writes nothing) while the canary runs, then lets go. */
    private CanaryReport checkWhileAnotherWriterHoldsIt() {
        try (Connection holder = UserDatabase.open(database); Statement statement = holder.createStatement()) {
            statement.execute("BEGIN EXCLUSIVE");
            CanaryReport report = canary().check().get(0);
            statement.execute("ROLLBACK");
            return report;
        } catch (java.sql.SQLException e) {
            throw new AssertionError("the holder failed", e);
        }
    }

    private void assertUntouched(String what, CanaryState expected, Supplier<CanaryReport> run) throws Exception {
        String bytes = UserDatabase.fileBytes(database);
        String userData = UserDatabase.fingerprint(database);

        CanaryReport report = run.get();

        assertEquals(expected, report.state(), () -> what + ": " + report);
        assertEquals(bytes, UserDatabase.fileBytes(database), what + " changed the database file's bytes");
        assertEquals(userData, UserDatabase.fingerprint(database), what + " changed the user's data");
    }
}
