package io.github.sqlitecanary.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock directory and lock file: created owner-only, never followed through a symbolic link,
 * never trusted when others control them. A lock that cannot be kept safely means no marker.
 */
class LockSafetyTest {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    @TempDir
    Path root;
    Path database;
    Path locks;
    String userData;
    String databaseBytes;

    @BeforeEach
    void layout() throws Exception {
        database = Files.createDirectories(root.resolve("data")).resolve("app.db");
        UserDatabase.create(database, "delete");
        userData = UserDatabase.fingerprint(database);
        databaseBytes = UserDatabase.fileBytes(database);
        locks = root.resolve("locks");
    }

    private CanaryReport check() {
        return new PersistenceCanary(CanaryOptions.builder().database(database.toString()).lockDirectory(locks)
                .filesystemCheck(false).build()).check().get(0);
    }

    private Path lockFile() {
        return LockFile.of(locks, database).path();
    }

    /** LOCK_UNUSABLE with this finding, and no marker: the database is byte for byte as it was. */
    private void assertLockUnusableAndDatabaseUntouched(CanaryReport report, String finding) throws Exception {
        assertEquals(CanaryState.LOCK_UNUSABLE, report.state(), report::toString);
        assertTrue(report.message().contains(finding), report::message);
        assertTrue(report.message().contains("so it wrote no marker into the database"), report::message);
        assertEquals(databaseBytes, UserDatabase.fileBytes(database));
        assertEquals(0, UserDatabase.markerRows(database));
    }

    // --- permissions of what the canary creates ---

    @Test
    void lockDirectoryIsCreatedOwnerOnlyAndLockFileOwnerReadWriteOnly() throws Exception {
        locks = root.resolve("tmp").resolve("canary-locks");

        CanaryReport report = check();

        assertEquals(CanaryState.FIRST_BOOT, report.state(), report::toString);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(locks, NOFOLLOW)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lockFile(), NOFOLLOW)));
    }

    @Test
    void permissionsDoNotDependOnThePermissiveUmaskOfTheProcess() throws Exception {
        // given a process started with umask 000, as some container entrypoints do
        List<String> command = Stream.concat(Stream.of("sh", "-c", "umask 000 && exec \"$@\"", "sh"),
                ChildJvm.canaryCommand(List.of(), List.of("check", "--database", database.toString(), "--lock-dir",
                        locks.toString(), "--no-filesystem-check", "--json")).stream()).toList();

        ChildJvm.Result result = ChildJvm.run(command, root.resolve("scratch"));

        assertEquals(CanaryState.FIRST_BOOT.name(), result.state(), result::toString);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(locks, NOFOLLOW)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lockFile(), NOFOLLOW)));
    }

    // --- the lock directory ---

    @Test
    void lockDirectoryThatIsAFileIsUnusableAndTheFileIsKept() throws Exception {
        byte[] content = "someone else's file\n".getBytes(StandardCharsets.UTF_8);
        Files.write(locks, content);

        assertLockUnusableAndDatabaseUntouched(check(), "is not a directory");
        assertArrayEquals(content, Files.readAllBytes(locks));
    }

    @Test
    void lockDirectoryThatIsASymbolicLinkIsUnusableAndNothingIsWrittenThroughIt() throws Exception {
        Path target = Files.createDirectory(root.resolve("elsewhere"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createSymbolicLink(locks, target);

        assertLockUnusableAndDatabaseUntouched(check(), "is a symbolic link; the canary never follows links");
        try (Stream<Path> inside = Files.list(target)) {
            assertEquals(0, inside.count(), "a file was written through the link");
        }
    }

    @Test
    void lockDirectoryWritableByOthersIsUnusable() throws Exception {
        Files.createDirectory(locks);
        Files.setPosixFilePermissions(locks, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertLockUnusableAndDatabaseUntouched(check(), "is writable by other users (rwxrwxrwx)");
        try (Stream<Path> inside = Files.list(locks)) {
            assertEquals(0, inside.count());
        }
    }

    @Test
    void lockDirectoryWritableByItsGroupIsUnusable() throws Exception {
        Files.createDirectory(locks);
        Files.setPosixFilePermissions(locks, PosixFilePermissions.fromString("rwxrwx---"));

        assertLockUnusableAndDatabaseUntouched(check(), "is writable by other users (rwxrwx---)");
    }

    @Test
    void lockDirectoryOwnedBySomeoneElseIsUnusable() throws Exception {
        Files.createDirectory(locks, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Files.setAttribute(locks, "unix:uid", 65534, NOFOLLOW);
        } catch (java.io.IOException e) {
            Assumptions.abort("SKIPPED: cannot chown the lock directory to uid 65534 (needs root): " + e);
        }

        assertLockUnusableAndDatabaseUntouched(check(), "belongs to user id 65534, not to this process's user id");
        try (Stream<Path> inside = Files.list(locks)) {
            assertEquals(0, inside.count());
        }
    }

    @Test
    void readOnlyLockDirectoryIsUnusableAndTheMarkerIsRolledBack() throws Exception {
        // The marker is inserted before the lock is created, so this proves the rollback.
        ChildJvm.assumeMountNamespaces(root.resolve("scratch"));
        Files.createDirectory(locks, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));

        ChildJvm.Result result = ChildJvm.run(HostileDatabaseTest.readOnly(locks, ChildJvm.canaryCommand(List.of(),
                List.of("check", "--database", database.toString(), "--lock-dir", locks.toString(),
                        "--no-filesystem-check", "--json"))), root.resolve("scratch"));

        assertEquals(1, result.exitCode(), result::toString);
        assertEquals(CanaryState.LOCK_UNUSABLE.name(), result.state(), result::toString);
        assertTrue(result.stdout().contains("cannot create the lock file"), result::stdout);
        assertEquals(0, UserDatabase.markerRows(database));
        assertEquals(userData, UserDatabase.fingerprint(database));
    }

    @Test
    void lockDirectoryThatCannotBeCreatedLeavesNotEvenAnEmptyDatabaseBehind() throws Exception {
        // given a new database and a lock directory whose parent is read-only (a read-only bind mount)
        ChildJvm.assumeMountNamespaces(root.resolve("scratch"));
        Path parent = Files.createDirectories(root.resolve("read-only-tmp"));
        Path newDatabase = database.resolveSibling("new.db");

        // when
        ChildJvm.Result result = ChildJvm.run(HostileDatabaseTest.readOnly(parent, ChildJvm.canaryCommand(List.of(),
                List.of("check", "--database", newDatabase.toString(), "--lock-dir", parent.resolve("canary").toString(),
                        "--no-filesystem-check", "--json"))), root.resolve("scratch"));

        // then
        assertEquals(CanaryState.LOCK_UNUSABLE.name(), result.state(), result::toString);
        assertTrue(result.stdout().contains("cannot create the lock directory"), result::stdout);
        assertFalse(Files.exists(newDatabase), "no database file was created");
    }

    // --- the lock file ---

    @Test
    void lockFilePlantedAsASymbolicLinkIsUnusableAndItsTargetUntouched() throws Exception {
        Files.createDirectory(locks, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path target = root.resolve("precious.txt");
        byte[] content = "precious\n".getBytes(StandardCharsets.UTF_8);
        Files.write(target, content);
        Files.createSymbolicLink(lockFile(), target);

        assertLockUnusableAndDatabaseUntouched(check(), "is a symbolic link; the canary never follows links");
        assertArrayEquals(content, Files.readAllBytes(target));
        assertTrue(Files.isSymbolicLink(lockFile()), "the planted link was removed or replaced");
    }

    @Test
    void lockFilePlantedAsADanglingSymbolicLinkCreatesNothingAtItsTarget() throws Exception {
        Files.createDirectory(locks, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path target = root.resolve("would-be-created");
        Files.createSymbolicLink(lockFile(), target);

        assertLockUnusableAndDatabaseUntouched(check(), "is a symbolic link");
        assertFalse(Files.exists(target, NOFOLLOW), "a file was created through the link");
    }

    @Test
    void lockFileThatIsADirectoryIsUnusable() throws Exception {
        Files.createDirectories(lockFile());

        assertLockUnusableAndDatabaseUntouched(check(), "is not a regular file");
    }

    @Test
    void emptyLockFileIsStillALock() throws Exception {
        assertStillALock(new byte[0]);
    }

    @Test
    void lockFileWithGarbageIsStillALock() throws Exception {
        byte[] garbage = new byte[777];
        new java.util.Random(7).nextBytes(garbage);
        assertStillALock(garbage);
    }

    private void assertStillALock(byte[] content) throws Exception {
        Files.createDirectory(locks, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.write(lockFile(), content);

        CanaryReport first = check();
        assertEquals(CanaryState.DATABASE_NOT_KEPT, first.state(), first::toString);
        assertEquals(1, UserDatabase.markerRows(database));
        CanaryReport restarted = check();
        assertEquals(CanaryState.AWAITING_REDEPLOY, restarted.state(), restarted::toString);
        assertTrue(restarted.message().contains("deleting " + lockFile() + " is safe"), restarted::message);
        assertNotEquals(CanaryState.VERIFIED, check().state());
        assertArrayEquals(content, Files.readAllBytes(lockFile()), "the lock was rewritten");
        assertEquals(userData, UserDatabase.fingerprint(database));
    }
}
