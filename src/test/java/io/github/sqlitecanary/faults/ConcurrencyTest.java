package io.github.sqlitecanary.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sqlitecanary.CanaryOptions;
import io.github.sqlitecanary.CanaryReport;
import io.github.sqlitecanary.CanaryState;
import io.github.sqlitecanary.PersistenceCanary;
import io.github.sqlitecanary.internal.LockFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sqlite.SQLiteConfig;

/**
 * Several instances booting at once against one database and one lock directory agree on one
 * marker and one verdict; a database held by another writer past the busy timeout is reported,
 * not waited on forever, and the other writer's transaction is unharmed.
 */
class ConcurrencyTest {

    /** The states that instances of one concurrent first boot may report: all DOWN. */
    private static final Set<CanaryState> CONCURRENT_FIRST_BOOT = Set.of(CanaryState.FIRST_BOOT,
            CanaryState.AWAITING_REDEPLOY);
    private static final String WROTE_THE_MARKER = "the canary recorded a marker in the database";

    @TempDir
    Path root;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"delete", "wal", "missing"})
    void sixteenThreadsBootingAtOnceAgreeOnOneMarkerAndOneVerdictThenOnVerified(String database) throws Exception {
        // given one database (an existing one in either journal mode, or none yet) and one lock directory
        Path file = Files.createDirectories(root.resolve("data")).resolve("app.db");
        if (!database.equals("missing")) {
            UserDatabase.create(file, database);
        }
        String userData = database.equals("missing") ? null : UserDatabase.fingerprint(file);
        CanaryOptions options = CanaryOptions.builder().database(file.toString())
                .lockDirectory(root.resolve("locks")).filesystemCheck(false).build();

        // when 16 instances start together
        List<CanaryReport> reports = bootTogether(options, 16);

        // then one of them wrote the one marker, and all of them are DOWN in an expected state
        assertEquals(1, UserDatabase.markerRows(file));
        assertEquals(1, reports.stream().filter(r -> r.message().contains(WROTE_THE_MARKER)).count(),
                () -> "instances that wrote the marker: " + reports);
        for (CanaryReport report : reports) {
            assertFalse(report.isUp(), report::toString);
            assertTrue(CONCURRENT_FIRST_BOOT.contains(report.state()), report::toString);
            assertNoInternals(report.message() + report.warnings());
        }
        assertTrue(Files.isRegularFile(LockFile.of(options.lockDirectory(), file).path(), LinkOption.NOFOLLOW_LINKS));
        if (userData != null) {
            assertEquals(userData, UserDatabase.fingerprint(file));
        }

        // and after a redeploy that wipes the lock directory, 16 instances agree that it is verified
        CrashConsistencyTest.deleteTree(options.lockDirectory());
        for (CanaryReport report : bootTogether(options, 16)) {
            assertEquals(CanaryState.VERIFIED, report.state(), report::toString);
            assertNoInternals(report.message() + report.warnings());
        }
        assertEquals(1, UserDatabase.markerRows(file));
        assertFalse(Files.exists(options.lockDirectory()), "a verified boot created the lock directory");
    }

    /** Runs {@code check()} in as many threads, released together once all of them are ready. */
    private static List<CanaryReport> bootTogether(CanaryOptions options, int instances) throws Exception {
        CountDownLatch ready = new CountDownLatch(instances);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        try {
            List<Future<CanaryReport>> futures = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                futures.add(pool.submit(() -> {
                    PersistenceCanary canary = new PersistenceCanary(options);
                    ready.countDown();
                    go.await();
                    return canary.check().get(0);
                }));
            }
            assertTrue(ready.await(30, TimeUnit.SECONDS), "the threads did not start");
            go.countDown();
            List<CanaryReport> reports = new ArrayList<>();
            for (Future<CanaryReport> future : futures) {
                reports.add(future.get(60, TimeUnit.SECONDS));
            }
            return reports;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fourJvmsBootingAtOnceAgreeOnOneMarkerAndOneVerdict() throws Exception {
        // given one database and one lock directory
        Path file = Files.createDirectories(root.resolve("data")).resolve("app.db");
        UserDatabase.create(file, "wal");
        String userData = UserDatabase.fingerprint(file);
        List<String> command = ChildJvm.canaryCommand(List.of(), List.of("check", "--database", file.toString(),
                "--lock-dir", root.resolve("locks").toString(), "--no-filesystem-check", "--json"));

        // when four JVMs start at once
        List<ChildJvm.Child> children = new ArrayList<>();
        List<ChildJvm.Result> results = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                children.add(ChildJvm.start(command, root.resolve("scratch")));
            }
            for (ChildJvm.Child child : children) {
                results.add(child.await());
            }
        } finally {
            for (ChildJvm.Child child : children) {
                child.close();
            }
        }

        // then they agree: one marker, every one DOWN in an expected state, no internals shown
        assertEquals(1, UserDatabase.markerRows(file));
        assertEquals(1, results.stream().filter(r -> r.stdout().contains(WROTE_THE_MARKER)).count(),
                () -> "JVMs that wrote the marker: " + results);
        for (ChildJvm.Result result : results) {
            assertEquals(1, result.exitCode(), result::toString);
            assertTrue(result.stdout().contains("\"status\":\"DOWN\""), result::toString);
            assertTrue(CONCURRENT_FIRST_BOOT.contains(CanaryState.valueOf(result.state())), result::toString);
            assertEquals("", result.stderr());
            assertNoInternals(result.output());
        }
        assertEquals(userData, UserDatabase.fingerprint(file));
    }

    @ParameterizedTest(name = "{0} held in {1} journal mode")
    @CsvSource({"BEGIN IMMEDIATE, delete", "BEGIN EXCLUSIVE, delete", "BEGIN IMMEDIATE, wal",
        "BEGIN EXCLUSIVE, wal"})
    void databaseHeldByAnotherWriterPastTheBusyTimeoutIsUnusableAndTheWriterIsUnharmed(String begin,
            String journalMode) throws Exception {
        // given a database whose write lock another connection holds
        Path file = Files.createDirectories(root.resolve("data")).resolve("app.db");
        UserDatabase.create(file, journalMode);
        Path locks = root.resolve("locks");
        CanaryOptions options = CanaryOptions.builder().database(file.toString()).lockDirectory(locks)
                .filesystemCheck(false).busyTimeoutMillis(300).build();
        CanaryReport report;
        try (Connection holder = UserDatabase.open(file); Statement statement = holder.createStatement()) {
            statement.execute(begin);
            UserDatabase.insertNote(holder, "written by the holder");

            // when the canary runs while it holds it
            report = new PersistenceCanary(options).check().get(0);

            // then the holder still held the write lock when the canary returned
            SQLException busy = assertThrows(SQLException.class, () -> tryToWrite(file));
            assertTrue(busy.getMessage().contains("SQLITE_BUSY"), busy::getMessage);
            // and its transaction commits its own row afterwards
            statement.execute("COMMIT");
        }

        // then the canary reports the busy timeout, wrote neither lock nor marker, and the holder's row is there
        assertEquals(CanaryState.DATABASE_UNUSABLE, report.state(), report::toString);
        assertTrue(report.message().contains("stayed locked by another connection for longer than "
                + CanaryOptions.BUSY_TIMEOUT + "=300 ms"), report::message);
        assertNoInternals(report.message());
        assertFalse(Files.exists(LockFile.of(locks, file).path(), LinkOption.NOFOLLOW_LINKS), "a lock was left");
        assertEquals(0, UserDatabase.markerRows(file));
        try (Connection connection = UserDatabase.openReadOnly(file); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM notes WHERE body = 'written by the holder'")) {
            assertEquals(1, rows.getInt(1));
        }
        // and once the holder is done, the next boot is an ordinary first boot
        assertEquals(CanaryState.FIRST_BOOT, new PersistenceCanary(options).check().get(0).state());
    }

    /** Takes the write lock on a connection of its own without waiting, and gives it back. */
    private static void tryToWrite(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(0);
        try (Connection connection = config.createConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            statement.execute("ROLLBACK");
        }
    }

    static void assertNoInternals(String text) {
        for (String internal : List.of("SQLITE_BUSY", "SQLITE_", "Exception", "\tat ", "at org.", "at java.")) {
            assertFalse(text.contains(internal), () -> "\"" + internal + "\" shown to the user: " + text);
        }
    }
}
