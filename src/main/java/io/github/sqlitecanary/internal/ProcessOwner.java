package io.github.sqlitecanary.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** The numeric user ids that ownership checks compare; null where the platform cannot tell. */
final class ProcessOwner {

    private static final Path PROC_SELF = Path.of("/proc/self");

    private ProcessOwner() {
    }

    /** This process's user id: the owner of {@code /proc/self} on Linux. */
    static Integer uid() {
        return Files.exists(PROC_SELF) ? uidOf(PROC_SELF) : null;
    }

    static Integer uidOf(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return null;
        }
    }
}
