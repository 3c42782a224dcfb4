package io.github.sqlitecanary.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sqlitecanary.CanaryOptions;
import io.github.sqlitecanary.CanaryReport;
import io.github.sqlitecanary.CanaryState;
import io.github.sqlitecanary.PersistenceCanary;
import io.github.sqlitecanary.HaltingCheck;
import io.github.sqlitecanary.internal.FirstBootStep;
import io.github.sqlitecanary.internal.LockFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A first boot killed at any moment, in a real child JVM, can only lead to another DOWN while the
 * lock is kept, and converges once the lock directory is wiped: never a false UP, never a second
 * marker, never a change to the user's data.
 */
class CrashConsistencyTest {

    private static final int HALTED = HaltingCheck.HALTED;

    @TempDir
    Path root;

    static Stream<Arguments> stepsAndJournalModes() {
        return Stream.of("delete", "wal").flatMap(mode -> Stream.of(FirstBootStep.values()).map(step -> Arguments.of(step, mode)));
    }

    @ParameterizedTest(name = "halted at {0} ({1} journal)")
    @MethodSource("stepsAndJournalModes")
    void firstBootHaltedAtEachStepNeverLeadsToVerifiedWhileTheLockIsKept(FirstBootStep step, String journalMode)
            throws Exception {
        // given a user's database that the canary has never seen
        Layout layout = Layout.in(root, journalMode);

        // when the first boot is halted at this step
        ChildJvm.Result crashed = ChildJvm.run(ChildJvm.haltingCheck(step, layout.database, layout.locks),
                layout.scratch);

        // then the step was reached, and the lock was on disk before any marker was committed
        assertEquals(HALTED, crashed.exitCode(), () -> "the halt at " + step + " was not reached: " + crashed);
        boolean lockWritten = !List.of(FirstBootStep.TRANSACTION_BEGUN, FirstBootStep.MARKER_INSERTED).contains(step);
        boolean committed = step == FirstBootStep.COMMITTED;
        assertEquals(lockWritten, layout.lockPresent(), "lock present after a halt at " + step);
        assertEquals(committed ? 1 : 0, UserDatabase.markerRows(layout.database), "marker rows after " + step);
        layout.assertRecovers(committed, lockWritten);
    }

    @Test
    void sigkillAtRandomMomentsOfAFirstBootNeverLeadsToVerifiedWhileTheLockIsKept() throws Exception {
        // given how long an uninterrupted first boot takes in a child JVM here
        Layout control = Layout.in(root.resolve("control"), "delete");
        long started = System.nanoTime();
        ChildJvm.Result uninterrupted = ChildJvm.run(ChildJvm.canaryCommand(List.of(), control.checkArgs()),
                control.scratch);
        long fullBootMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(CanaryState.FIRST_BOOT.name(), uninterrupted.state());

        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int attempt = 0; attempt < 5; attempt++) {
            Layout layout = Layout.in(root.resolve("kill-" + attempt), attempt % 2 == 0 ? "delete" : "wal");
            // The delay only picks the moment of the fault; nothing waits on it for a result.
            long delay = fullBootMillis / 4 + (long) (random.nextDouble() * fullBootMillis);
            String context = "attempt " + attempt + ", seed " + seed + ", SIGKILL after " + delay + " ms of a "
                    + fullBootMillis + " ms boot";
            try (ChildJvm.Child child = ChildJvm.start(ChildJvm.canaryCommand(List.of(), layout.checkArgs()),
                    layout.scratch)) {
                Thread.sleep(delay);
                child.kill();
            }
            boolean committed = UserDatabase.markerRows(layout.database) == 1;
            boolean lockPresent = layout.lockPresent();
            assertTrue(!committed || lockPresent, () -> "a committed marker without its lock: " + context);
            layout.assertRecovers(committed, lockPresent);
        }
    }

    /** One database and one lock directory, with a copy of both to go back to. */
    private static final class Layout {
        final Path root;
        final Path database;
        final Path locks;
        final Path scratch;
        final String userData;

        private Layout(Path root, Path database, Path locks, Path scratch, String userData) {
            this.root = root;
            this.database = database;
            this.locks = locks;
            this.scratch = scratch;
            this.userData = userData;
        }

        static Layout in(Path root, String journalMode) throws Exception {
            Path database = Files.createDirectories(root.resolve("data")).resolve("app.db");
            UserDatabase.create(database, journalMode);
            return new Layout(root, database, root.resolve("locks"), root.resolve("scratch"),
                    UserDatabase.fingerprint(database));
        }

        List<String> checkArgs() {
            return List.of("check", "--database", database.toString(), "--lock-dir", locks.toString(),
                    "--no-filesystem-check", "--json");
        }

        boolean lockPresent() {
            return Files.exists(LockFile.of(locks, database).path(), LinkOption.NOFOLLOW_LINKS);
        }

        CanaryReport boot() {
            return new PersistenceCanary(CanaryOptions.builder().database(database.toString())
                    .lockDirectory(locks).filesystemCheck(false).build()).check().get(0);
        }

        /**
         * From the state a crash left behind: a boot that keeps the lock stays DOWN in the state the
         * rules give; a boot after a wipe converges. Both end with exactly one marker row.
         */
        void assertRecovers(boolean committed, boolean lockPresent) throws Exception {
            Path snapshot = root.resolve("snapshot");
            copyTree(root.resolve("data"), snapshot.resolve("data"));
            if (lockPresent) {
                copyTree(locks, snapshot.resolve("locks"));
            }

            CanaryReport kept = boot();
            CanaryState expectedKept = committed ? CanaryState.AWAITING_REDEPLOY
                    : lockPresent ? CanaryState.DATABASE_NOT_KEPT : CanaryState.FIRST_BOOT;
            assertNotEquals(CanaryState.VERIFIED, kept.state(), kept::toString);
            assertEquals(expectedKept, kept.state(), kept::toString);
            assertTrue(lockPresent(), "the lock is there after a boot that kept it");
            assertEquals(1, UserDatabase.markerRows(database), "marker rows after the boot that kept the lock");
            assertEquals(CanaryState.AWAITING_REDEPLOY, boot().state(), "a restart after that boot");
            assertEquals(userData, UserDatabase.fingerprint(database), "user data after the boot that kept the lock");

            // Back to the moment of the crash, then a redeploy that wipes the temporary directory.
            deleteTree(root.resolve("data"));
            deleteTree(locks);
            copyTree(snapshot.resolve("data"), root.resolve("data"));
            CanaryReport wiped = boot();
            assertEquals(committed ? CanaryState.VERIFIED : CanaryState.FIRST_BOOT, wiped.state(), wiped::toString);
            assertEquals(1, UserDatabase.markerRows(database), "marker rows after the boot with a wiped lock");
            if (!committed) {
                deleteTree(locks);
                CanaryReport next = boot();
                assertEquals(CanaryState.VERIFIED, next.state(), next::toString);
                assertEquals(1, UserDatabase.markerRows(database), "marker rows once verified");
            }
            assertEquals(userData, UserDatabase.fingerprint(database), "user data after the wiped boots");
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Files.copy(path, to.resolve(from.relativize(path).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    static void deleteTree(Path tree) throws IOException {
        if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
