package io.github.sqlitecanary.faults;

import static io.github.sqlitecanary.faults.ConcurrencyTest.assertNoInternals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sqlitecanary.CanaryOptions;
import io.github.sqlitecanary.CanaryState;
import io.github.sqlitecanary.PersistenceCanary;
import io.github.sqlitecanary.faults.UnprivilegedUser.Account;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole story and every lock and permission case as the non-root users that production
 * images run as (Payara Micro: uid 1000; Open Liberty: uid 1001, gid 0), in child JVMs that the
 * suite starts as those users. Volumes belong to the user, as a platform prepares them, unless a
 * test says otherwise.
 */
class UnprivilegedUserTest {

    private Path base;
    private String classPath;
    private Account account;
    private Path data;
    private Path tmp;
    private Path database;
    private Path lockDirectory;

    static Stream<Account> accounts() {
        return Stream.of(UnprivilegedUser.PAYARA, UnprivilegedUser.OPEN_LIBERTY);
    }

    /** A volume and a temporary directory owned by the account, as a platform prepares them. */
    private void given(Account wanted) throws Exception {
        account = UnprivilegedUser.effective(wanted);
        base = UnprivilegedUser.newBase();
        classPath = UnprivilegedUser.readableClassPath(base);
        data = Files.createDirectory(base.resolve("data"));
        tmp = Files.createDirectory(base.resolve("tmp"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        UnprivilegedUser.chown(data, account);
        UnprivilegedUser.chown(tmp, account);
        database = data.resolve("app.db");
        lockDirectory = tmp.resolve("sqlite-persistence-canary");
    }

    @AfterEach
    void removeFiles() throws Exception {
        if (base != null) {
            UnprivilegedUser.deleteTree(base);
        }
    }

    private ChildJvm.Result canary(String command, String umask, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(command, "--database", database.toString(),
                "--lock-dir", lockDirectory.toString(), "--filesystem-check=false", "--json"));
        args.addAll(List.of(extra));
        ChildJvm.Result result = ChildJvm.run(UnprivilegedUser.command(account, classPath, tmp, umask, args),
                base.resolve("out"));
        assertEquals("", result.stderr(), result::toString);
        assertNoInternals(result.output());
        return result;
    }

    private ChildJvm.Result check() throws Exception {
        return canary("check", null);
    }

    @ParameterizedTest
    @MethodSource("accounts")
    void unprivilegedUserGoesFirstBootThenAwaitingRedeployThenVerifiedAfterARedeploy(Account wanted) throws Exception {
        given(wanted);

        ChildJvm.Result first = check();
        assertEquals("FIRST_BOOT", first.state(), first::toString);
        assertEquals(1, first.exitCode());
        assertEquals(account.uid(), Files.getAttribute(lockDirectory, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lockDirectory)));
        Path lock;
        try (Stream<Path> locks = Files.list(lockDirectory)) {
            lock = locks.findFirst().orElseThrow();
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lock)));
        assertEquals(account.uid(), Files.getAttribute(database, "unix:uid"));

        ChildJvm.Result restart = check();
        assertEquals("AWAITING_REDEPLOY", restart.state(), restart::toString);
        assertTrue(restart.stdout().contains(lock.toString()), restart::toString);

        UnprivilegedUser.deleteTree(lockDirectory); // the redeploy wipes the temporary directory
        ChildJvm.Result redeploy = check();
        assertEquals("VERIFIED", redeploy.state(), redeploy::toString);
        assertEquals(0, redeploy.exitCode());

        ChildJvm.Result again = check();
        assertEquals("VERIFIED", again.state(), again::toString);
        ChildJvm.Result status = canary("status", null);
        assertEquals("VERIFIED", status.state(), status::toString);
        assertEquals(Set.of("app.db"), names(data), "the verified path left files beside the database");
    }

    @ParameterizedTest
    @MethodSource("accounts")
    void defaultLockDirectoryInASharedStickyTemporaryDirectoryIsCreatedForTheUserAlone(Account wanted)
            throws Exception {
        given(wanted);
        Path shared = Files.createDirectory(base.resolve("shared-tmp"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setAttribute(shared, "unix:mode", 01777); // like /tmp
        List<String> args = List.of("check", "--database", database.toString(), "--filesystem-check=false", "--json");

        ChildJvm.Result result = ChildJvm.run(UnprivilegedUser.command(account, classPath, shared, null, args),
                base.resolve("out"));

        assertEquals("FIRST_BOOT", result.state(), result::toString);
        Path created = shared.resolve("sqlite-persistence-canary");
        assertEquals(account.uid(), Files.getAttribute(created, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(created)));
    }

    @ParameterizedTest
    @MethodSource("accounts")
    void lockDirectoryOwnedByRootIsLockUnusableAndNoMarkerIsWritten(Account wanted) throws Exception {
        given(wanted);
        assumeRootCanPrepareForeignFiles();
        Files.createDirectory(lockDirectory, PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));

        ChildJvm.Result result = check();

        assertEquals("LOCK_UNUSABLE", result.state(), result::toString);
        assertTrue(result.stdout().contains("belongs to user id 0, not to this process's user id " + account.uid()),
                result::stdout);
        assertFalse(Files.exists(database), "a database was created without a lock");
    }

    @ParameterizedTest
    @MethodSource("accounts")
    void lockFilePlantedByAnotherUserIsLockUnusable(Account wanted) throws Exception {
        given(wanted);
        assumeRootCanPrepareForeignFiles();
        assertEquals("FIRST_BOOT", check().state());
        Path lock;
        try (Stream<Path> locks = Files.list(lockDirectory)) {
            lock = locks.findFirst().orElseThrow();
        }
        Files.setAttribute(lock, "unix:uid", 0); // another user's file in its place

        ChildJvm.Result result = check();

        assertEquals("LOCK_UNUSABLE", result.state(), result::toString);
        assertTrue(result.stdout().contains("the lock file " + lock + " belongs to user id 0"), result::stdout);
    }

    @ParameterizedTest
    @MethodSource("accounts")
    void lockDirectoryUnderADirectoryOthersMayWriteIsLockUnusable(Account wanted) throws Exception {
        given(wanted);
        Path open = Files.createDirectory(base.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx")); // not sticky
        lockDirectory = open.resolve("locks");

        ChildJvm.Result result = check();

        assertEquals("LOCK_UNUSABLE", result.state(), result::toString);
        assertTrue(result.stdout().contains("the directory " + open + " above the lock directory"), result::stdout);
        assertTrue(result.stdout().contains("writable by other users (rwxrwxrwx) and not sticky"), result::stdout);
        assertFalse(Files.exists(lockDirectory));
        assertFalse(Files.exists(database));
    }

    @ParameterizedTest
    @MethodSource("accounts")
    void missingParentsOfTheLockDirectoryAreCreatedOwnerOnlyEvenUnderUmask000(Account wanted) throws Exception {
        given(wanted);
        lockDirectory = tmp.resolve("a").resolve("b").resolve("locks");

        ChildJvm.Result result = canary("check", "000");

        assertEquals("FIRST_BOOT", result.state(), result::toString);
        for (Path created : List.of(tmp.resolve("a"), tmp.resolve("a").resolve("b"), lockDirectory)) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(created)),
                    created::toString);
        }
    }

    @ParameterizedTest
    @MethodSource("accounts")
    void volumeTheUserMayNotWriteIsAPermissionProblemInStatusAndCheckAndNothingIsCreated(Account wanted)
            throws Exception {
        given(wanted);
        makeReadOnlyForTheAccount(data);

        ChildJvm.Result status = canary("status", null);
        ChildJvm.Result check = check();

        for (ChildJvm.Result result : List.of(status, check)) {
            assertEquals("DATABASE_UNUSABLE", result.state(), result::toString);
            assertTrue(result.stdout().contains("its directory " + data + " is read-only: this process's user (user id "
                    + account.uid() + ") may not write there"), result::stdout);
            assertTrue(result.stdout().contains("permission problem"), result::stdout);
        }
        assertEquals(Set.of(), names(data));
        assertFalse(Files.exists(lockDirectory), "a lock directory was made for a database that cannot take a marker");
    }

    @ParameterizedTest
    @MethodSource("accounts")
    void verifiedWalDatabaseThatTheUserMayOnlyReadStaysVerifiedAndGetsNoFilesBesideIt(Account wanted)
            throws Exception {
        given(wanted);
        assumeRootCanPrepareForeignFiles();
        // An init container running as root verified the database; the application's user reads it.
        UserDatabase.create(database, "wal");
        CanaryOptions asRoot = CanaryOptions.builder().database(database.toString())
                .lockDirectory(base.resolve("root-locks")).filesystemCheck(false).build();
        assertEquals(CanaryState.FIRST_BOOT, new PersistenceCanary(asRoot).check().get(0).state());
        UnprivilegedUser.deleteTree(base.resolve("root-locks"));
        assertEquals(CanaryState.VERIFIED, new PersistenceCanary(asRoot).check().get(0).state());
        makeReadOnlyForTheAccount(database);
        makeReadOnlyForTheAccount(data);
        String bytes = UserDatabase.fileBytes(database);

        ChildJvm.Result status = canary("status", null);
        ChildJvm.Result check = check();

        assertEquals("VERIFIED", status.state(), status::toString);
        assertEquals("VERIFIED", check.state(), check::toString);
        assertEquals(Set.of("app.db"), names(data));
        assertEquals(bytes, UserDatabase.fileBytes(database));
    }

    @ParameterizedTest
    @MethodSource("accounts")
    void databaseTheUserMayOnlyReadIsDatabaseUnusableInStatusAndCheckAlike(Account wanted) throws Exception {
        given(wanted);
        UserDatabase.create(database, "delete");
        makeReadOnlyForTheAccount(database);
        String bytes = UserDatabase.fileBytes(database);

        ChildJvm.Result status = canary("status", null);
        ChildJvm.Result check = check();

        assertEquals("DATABASE_UNUSABLE", status.state(), status::toString);
        assertEquals(status.state(), check.state(), check::toString);
        assertTrue(check.stdout().contains("it is read-only: this process's user (user id " + account.uid()
                + ") may not write the file"), check::stdout);
        assertEquals(bytes, UserDatabase.fileBytes(database));
        assertEquals(0, UserDatabase.markerRows(database));
        assertFalse(Files.exists(lockDirectory));
    }

    /** Root-owned where root runs the suite (the usual case), read-only by mode otherwise. */
    private void makeReadOnlyForTheAccount(Path path) throws Exception {
        if (UnprivilegedUser.suiteIsRoot()) {
            Files.setAttribute(path, "unix:uid", 0);
            Files.setAttribute(path, "unix:gid", 0);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
                    Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
        } else {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
                    Files.isDirectory(path) ? "r-xr-xr-x" : "r--r--r--"));
        }
    }

    private static void assumeRootCanPrepareForeignFiles() {
        Assumptions.assumeTrue(UnprivilegedUser.suiteIsRoot(), "SKIPPED: only root can give a file to another "
                + "user; run the suite as root (as CI does) to test files owned by someone else");
    }

    private static Set<String> names(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
