package io.github.sqlitecanary.faults;

import static io.github.sqlitecanary.faults.ConcurrencyTest.assertNoInternals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sqlitecanary.CanaryOptions;
import io.github.sqlitecanary.CanaryReport;
import io.github.sqlitecanary.CanaryState;
import io.github.sqlitecanary.PersistenceCanary;
import io.github.sqlitecanary.internal.LockFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Databases that cannot take the marker: each ends in a named state with a clear message, and
 * the database, its directory and the lock directory are left as they were.
 */
class HostileDatabaseTest {

    @TempDir
    Path root;
    Path data;
    Path database;
    Path locks;

    @BeforeEach
    void layout() throws Exception {
        data = Files.createDirectories(root.resolve("data"));
        database = data.resolve("app.db");
        locks = root.resolve("locks");
    }

    private CanaryReport check() {
        return canary().check().get(0);
    }

    private PersistenceCanary canary() {
        return new PersistenceCanary(CanaryOptions.builder().database(database.toString()).lockDirectory(locks)
                .filesystemCheck(false).build());
    }

    private List<String> checkArgs() {
        return List.of("check", "--database", database.toString(), "--lock-dir", locks.toString(),
                "--no-filesystem-check", "--json");
    }

    @Test
    void databasePathThatIsADirectoryIsUnusableAndUntouched() throws Exception {
        Files.createDirectory(database);

        CanaryReport report = check();

        assertEquals(CanaryState.DATABASE_UNUSABLE, report.state(), report::toString);
        assertTrue(report.message().contains("it is a directory, not a database file"), report::message);
        try (Stream<Path> inside = Files.list(database)) {
            assertEquals(0, inside.count(), "something was written into the directory");
        }
        assertFalse(Files.exists(locks), "the lock directory was created");
    }

    @Test
    void fileThatIsNotSqliteIsUnusableAndKeepsItsBytes() throws Exception {
        byte[] bytes = ("This is the application's configuration, not a database.\n".repeat(100))
                .getBytes(StandardCharsets.UTF_8);
        Files.write(database, bytes);

        CanaryReport report = check();

        assertEquals(CanaryState.DATABASE_UNUSABLE, report.state(), report::toString);
        assertTrue(report.message().contains("it is not an SQLite database"), report::message);
        assertTrue(report.message().contains("The canary changed nothing in it"), report::message);
        assertNoInternals(report.message());
        assertArrayEquals(bytes, Files.readAllBytes(database));
        try (Stream<Path> files = Files.list(data)) {
            assertEquals(List.of(database), files.toList(), "no journal or other file beside it");
        }
        assertFalse(Files.exists(locks), "the lock directory was created");
    }

    @Test
    void namedPipeInPlaceOfTheDatabaseIsUnusableAndNeverOpened() throws Exception {
        // SQLite would block forever opening a FIFO that nobody writes: it must not be opened at all.
        ChildJvm.Result mkfifo = ChildJvm.run(List.of("mkfifo", database.toString()), root.resolve("scratch"));
        org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.exitCode() == 0,
                () -> "SKIPPED: mkfifo is not available: " + mkfifo);

        CanaryReport report = check();

        assertEquals(CanaryState.DATABASE_UNUSABLE, report.state(), report::toString);
        assertTrue(report.message().contains("it is not a regular file"), report::message);
        assertFalse(Files.exists(locks), "the lock directory was created");
    }

    @Test
    void databaseDirectoryThatIsAFileIsUnusable() throws Exception {
        Files.delete(data);
        Files.writeString(data, "a file where the volume should be");

        CanaryReport report = check();

        assertEquals(CanaryState.DATABASE_UNUSABLE, report.state(), report::toString);
        assertTrue(report.message().contains(data + " is not a directory"), report::message);
        assertEquals("a file where the volume should be", Files.readString(data));
        assertFalse(Files.exists(locks), "the lock directory was created");
    }

    @Test
    void markerTableNameThatIsAUserTableIsUnusableAndTheTableUntouched() throws Exception {
        UserDatabase.create(database, "delete");
        String bytes = UserDatabase.fileBytes(database);
        PersistenceCanary canary = new PersistenceCanary(CanaryOptions.builder().database(database.toString())
                .lockDirectory(locks).filesystemCheck(false).table("NOTES").build());

        for (CanaryReport report : List.of(canary.check().get(0), canary.status().get(0))) {
            assertEquals(CanaryState.DATABASE_UNUSABLE, report.state(), report::toString);
            assertTrue(report.message().contains("already has a table named \"NOTES\" that the canary did not "
                    + "create; set " + CanaryOptions.TABLE + " to a name of the canary's own"), report::message);
        }
        assertEquals(bytes, UserDatabase.fileBytes(database));
        assertFalse(Files.exists(LockFile.of(locks, database).path(), LinkOption.NOFOLLOW_LINKS), "a lock was left");
    }

    @Test
    void zeroByteFileIsAnEmptyDatabaseAndBootsFirstThenVerifies() throws Exception {
        // An application's pool or JPA often creates the file before the canary runs.
        Files.createFile(database);

        CanaryReport first = check();
        assertEquals(CanaryState.FIRST_BOOT, first.state(), first::toString);
        assertEquals(1, UserDatabase.markerRows(database));

        CrashConsistencyTest.deleteTree(locks);
        CanaryReport redeployed = check();
        assertEquals(CanaryState.VERIFIED, redeployed.state(), redeployed::toString);
    }

    @Test
    void readOnlyDatabaseIsUnusableAndNoLockIsLeftBehind() throws Exception {
        // Root ignores file modes, so the volume itself is made read-only: a read-only bind mount
        // of the database's directory in a private mount namespace, as a read-only volume would be.
        ChildJvm.assumeMountNamespaces(root.resolve("scratch"));
        UserDatabase.create(database, "delete");
        String bytes = UserDatabase.fileBytes(database);

        ChildJvm.Result result = ChildJvm.run(readOnly(data, ChildJvm.canaryCommand(List.of(), checkArgs())),
                root.resolve("scratch"));

        assertEquals(1, result.exitCode(), result::toString);
        assertEquals(CanaryState.DATABASE_UNUSABLE.name(), result.state(), result::toString);
        assertTrue(result.stdout().contains("it is read-only: this process's user"), result::stdout);
        assertTrue(result.stdout().contains("must write its marker table"), result::stdout);
        assertNoInternals(result.output());
        assertFalse(Files.exists(LockFile.of(locks, database).path(), LinkOption.NOFOLLOW_LINKS), "a lock was left");
        assertEquals(bytes, UserDatabase.fileBytes(database));
        assertEquals(0, UserDatabase.markerRows(database));
    }

    @Test
    void statusOnAReadOnlyVolumeReportsWhatCheckReaches() throws Exception {
        ChildJvm.assumeMountNamespaces(root.resolve("scratch"));
        UserDatabase.create(database, "delete");
        List<String> statusArgs = new java.util.ArrayList<>(checkArgs());
        statusArgs.set(0, "status");

        ChildJvm.Result status = ChildJvm.run(readOnly(data, ChildJvm.canaryCommand(List.of(), statusArgs)),
                root.resolve("scratch"));
        ChildJvm.Result check = ChildJvm.run(readOnly(data, ChildJvm.canaryCommand(List.of(), checkArgs())),
                root.resolve("scratch"));

        assertEquals(CanaryState.DATABASE_UNUSABLE.name(), status.state(), status::toString);
        assertEquals(check.state(), status.state());
        assertEquals(check.exitCode(), status.exitCode());
    }

    @Test
    void databaseMissingOnAReadOnlyVolumeIsUnusableAndNotCreated() throws Exception {
        ChildJvm.assumeMountNamespaces(root.resolve("scratch"));

        ChildJvm.Result result = ChildJvm.run(readOnly(data, ChildJvm.canaryCommand(List.of(), checkArgs())),
                root.resolve("scratch"));

        assertEquals(1, result.exitCode(), result::toString);
        assertEquals(CanaryState.DATABASE_UNUSABLE.name(), result.state(), result::toString);
        assertTrue(result.stdout().contains("its directory " + data + " is read-only"), result::stdout);
        assertNoInternals(result.output());
        assertFalse(Files.exists(database), "the database was created");
        assertFalse(Files.exists(LockFile.of(locks, database).path(), LinkOption.NOFOLLOW_LINKS), "a lock was left");
    }

    @Test
    void diskThatFillsWhileTheMarkerIsWrittenIsUnusableNeverUpAndKeepsUserData() throws Exception {
        // given a user's database on a small tmpfs that is full to the last block
        Path scratch = root.resolve("scratch");
        ChildJvm.assumeMountNamespaces(scratch);
        Path original = root.resolve("original.db");
        UserDatabase.create(original, "delete");
        String userData = UserDatabase.fingerprint(original);
        Path full = Files.createDirectories(root.resolve("full"));
        Path out = Files.createDirectories(root.resolve("out"));
        database = full.resolve("app.db");
        String script = String.join("\n",
                "mount -t tmpfs -o size=64k tmpfs \"$1\" && cp \"$2\" \"$1/app.db\" || exit 97",
                "dd if=/dev/zero of=\"$1/filler\" bs=1024 >/dev/null 2>&1",
                "dir=$1; out=$3; shift 3",
                "\"$@\"; rc=$?",
                // The tmpfs vanishes with the namespace: take the database (and any journal) out.
                "cp \"$dir\"/app.db* \"$out\"/ || exit 98",
                "exit $rc");

        // when the canary (file-system check off: tmpfs would be judged ephemeral first) writes its marker there
        ChildJvm.Result result = ChildJvm.run(ChildJvm.inPrivateMountNamespace(script, Stream.concat(
                Stream.of(full.toString(), original.toString(), out.toString()),
                ChildJvm.canaryCommand(List.of(), checkArgs()).stream()).toList()), scratch);

        // then it is DOWN because the disk is full, and the user's data is intact
        assertEquals(1, result.exitCode(), result::toString);
        assertEquals(CanaryState.DATABASE_UNUSABLE.name(), result.state(), result::toString);
        assertTrue(result.stdout().contains("the disk is full"), result::stdout);
        assertNoInternals(result.output());
        Path copy = out.resolve("app.db");
        try (Connection recovering = UserDatabase.open(copy)) {
            // opening it read-write is what the application does: SQLite rolls back any hot journal
            assertTrue(recovering.isValid(1));
        }
        assertEquals(userData, UserDatabase.fingerprint(copy));
        assertEquals(0, UserDatabase.markerRows(copy));
    }

    /** Runs a command with {@code directory} bind-mounted read-only onto itself. */
    static List<String> readOnly(Path directory, List<String> command) {
        String script = "d=$1; shift; mount --bind \"$d\" \"$d\" && mount -o remount,bind,ro \"$d\" \"$d\" "
                + "|| exit 97; \"$@\"";
        return ChildJvm.inPrivateMountNamespace(script,
                Stream.concat(Stream.of(directory.toString()), command.stream()).toList());
    }

    @Test
    void damagedDatabaseIsUnusableWithAPlainSentenceAndKeepsItsBytes() throws Exception {
        UserDatabase.create(database, "delete");
        try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(database,
                java.nio.file.StandardOpenOption.WRITE)) {
            // The b-tree page header of sqlite_master, right after the 100-byte file header.
            file.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) 0xee, (byte) 0xee, (byte) 0xee, (byte) 0xee}), 100);
        }
        String bytes = UserDatabase.fileBytes(database);

        CanaryReport status = canary().status().get(0);
        CanaryReport report = check();

        assertEquals(CanaryState.DATABASE_UNUSABLE, report.state(), report::toString);
        assertEquals(report.state(), status.state());
        assertTrue(report.message().contains("it is damaged (SQLite finds the database disk image malformed); "
                + "restore it from a backup"), report.message());
        assertFalse(report.message().contains("SQLITE_"), report.message());
        assertEquals(bytes, UserDatabase.fileBytes(database));
        assertFalse(Files.exists(LockFile.of(locks, database).path(), LinkOption.NOFOLLOW_LINKS));
    }
}
