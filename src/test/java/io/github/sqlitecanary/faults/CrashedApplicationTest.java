package io.github.sqlitecanary.faults;

import static io.github.sqlitecanary.faults.ConcurrencyTest.assertNoInternals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.sqlitecanary.CanaryOptions;
import io.github.sqlitecanary.CanaryReport;
import io.github.sqlitecanary.CanaryState;
import io.github.sqlitecanary.PersistenceCanary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The application is SIGKILLed in the middle of a write, then deployed again: SQLite's own
 * recovery restores the last committed state, and the canary's verdict is the usual one. A crash
 * never pins a verified database DOWN, and {@code status} still changes nothing.
 */
class CrashedApplicationTest {

    @TempDir
    Path root;

    private Path data;
    private Path database;
    private CanaryOptions options;

    private void given(String journalMode) throws Exception {
        data = Files.createDirectories(root.resolve("data"));
        database = data.resolve("app.db");
        UserDatabase.create(database, journalMode);
        options = CanaryOptions.builder().database(database.toString()).lockDirectory(root.resolve("locks"))
                .filesystemCheck(false).build();
    }

    private CanaryReport check() {
        return new PersistenceCanary(options).check().get(0);
    }

    private CanaryReport status() {
        return new PersistenceCanary(options).status().get(0);
    }

    private void verify() throws Exception {
        assertEquals(CanaryState.FIRST_BOOT, check().state());
        CrashConsistencyTest.deleteTree(root.resolve("locks"));
        assertEquals(CanaryState.VERIFIED, check().state());
    }

    /** Runs the writer until it has written, then kills it with SIGKILL, as an OOM kill or a hard stop would. */
    private void crashTheApplicationWhileItWrites(String what) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingWriter.class.getName(), database.toString(),
                what);
        try (ChildJvm.Child writer = ChildJvm.start(command, root.resolve("scratch"))) {
            long deadline = System.nanoTime() + ChildJvm.TIMEOUT_SECONDS * 1_000_000_000L;
            while (!Files.readString(writer.stdout()).contains("ready")) {
                if (!writer.process().isAlive() || System.nanoTime() > deadline) {
                    fail("the writer did not get to write: " + Files.readString(writer.stderr()));
                }
                Thread.onSpinWait();
            }
            writer.kill();
        }
    }

    @ParameterizedTest(name = "{0} journal, {1} write")
    @CsvSource({"delete, uncommitted", "wal, uncommitted", "wal, committed"})
    void verifiedDatabaseStaysVerifiedAfterTheApplicationIsKilledMidWrite(String journalMode, String write)
            throws Exception {
        given(journalMode);
        verify();
        int notesBefore = notes();
        crashTheApplicationWhileItWrites(write);
        Map<String, String> leftByTheCrash = files();
        assertCrashLeftRecoveryWork(journalMode, write, leftByTheCrash);

        CanaryReport status = status();
        assertEquals(CanaryState.VERIFIED, status.state(), status::toString);
        assertEquals(leftByTheCrash, files(), "status changed the files the crash left");

        CanaryReport check = check();
        assertEquals(CanaryState.VERIFIED, check.state(), check::toString);
        assertNoInternals(check.message() + check.warnings());
        assertEquals(write.equals("committed") ? notesBefore + CrashingWriter.NOTES : notesBefore, notes());
    }

    @ParameterizedTest(name = "{0} journal, {1} write")
    @CsvSource({"delete, uncommitted", "wal, uncommitted", "wal, committed"})
    void applicationKilledMidWriteBeforeItsFirstBootGetsAnOrdinaryFirstBoot(String journalMode, String write)
            throws Exception {
        given(journalMode);
        crashTheApplicationWhileItWrites(write);
        Map<String, String> leftByTheCrash = files();

        CanaryReport status = status();
        assertEquals(CanaryState.FIRST_BOOT, status.state(), status::toString);
        assertEquals(leftByTheCrash, files(), "status changed the files the crash left");

        CanaryReport check = check();
        assertEquals(CanaryState.FIRST_BOOT, check.state(), check::toString);
        assertEquals(1, UserDatabase.markerRows(database));
    }

    private static void assertCrashLeftRecoveryWork(String journalMode, String write, Map<String, String> files) {
        if (journalMode.equals("delete")) {
            assertTrue(files.containsKey("app.db-journal"), () -> "no hot journal after the crash: " + files.keySet());
        } else {
            assertTrue(files.containsKey("app.db-wal"), () -> "no WAL after the crash: " + files.keySet());
        }
    }

    /**
     * Every file in the data directory and a hash of its bytes; the {@code -shm} file only by its
     * name: it is SQLite's shared-memory index of the WAL, where every reader takes its read lock.
     */
    private Map<String, String> files() throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(data)) {
            for (Path file : list.toList()) {
                String name = file.getFileName().toString();
                files.put(name, name.endsWith("-shm") ? "shared memory" : UserDatabase.fileBytes(file));
            }
        }
        return files;
    }

    private int notes() throws Exception {
        try (Connection connection = UserDatabase.open(database); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM notes")) {
            return rows.getInt(1);
        }
    }

}
