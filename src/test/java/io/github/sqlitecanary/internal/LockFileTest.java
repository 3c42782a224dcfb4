package io.github.sqlitecanary.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock where the operating system has no POSIX permissions or owners (Windows developers' machines). */
class LockFileTest {

    private static final LocalSystem WITHOUT_POSIX = new LocalSystem(false, OptionalInt.empty());

    @TempDir
    Path tmp;

    @Test
    void withoutPosixTheLockIsCreatedAndFoundWithoutPermissionsOwnersOrADirectorySync() throws Exception {
        // A group-writable directory would be refused where permissions exist; here nothing can be judged.
        Path parent = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
        LockFile lock = LockFile.of(parent.resolve("locks"), tmp.resolve("app.db"), WITHOUT_POSIX);

        assertEquals(LockFile.Presence.ABSENT, lock.presence());
        lock.create("first boot", FirstBootStep.Listener.NONE);

        assertEquals(LockFile.Presence.PRESENT, lock.presence());
        assertEquals("first boot", Files.readString(lock.path(), StandardCharsets.UTF_8));
    }

    @Test
    void withPosixTheSameDirectoryIsRefused() throws Exception {
        Path parent = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
        LockFile lock = LockFile.of(parent.resolve("locks"), tmp.resolve("app.db"), LocalSystem.ofThisMachine());

        LockFile.UnusableException refused = org.junit.jupiter.api.Assertions.assertThrows(
                LockFile.UnusableException.class, lock::presence);

        assertTrue(refused.getMessage().contains("writable by other users (rwxrwxrwx) and not sticky"),
                refused.getMessage());
    }

    @Test
    void realUserIdIsTheFirstFieldOfTheUidLineNotTheOwnerOfProcSelf() throws Exception {
        Path status = tmp.resolve("status");
        Files.writeString(status, "Name:\tjava\nUmask:\t0022\nUid:\t1000\t1000\t1000\t1000\nGid:\t0\t0\t0\t0\n");

        assertEquals(OptionalInt.of(1000), ProcessOwner.realUidIn(status));
        assertEquals(OptionalInt.empty(), ProcessOwner.realUidIn(tmp.resolve("missing")));
    }
}
