package io.github.sqlitecanary.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * The numeric user ids that ownership checks compare; empty where the platform cannot tell.
 *
 * <p>Not the owner of {@code /proc/self}: that link belongs to root whoever runs the process.
 * The real user id is the {@code Uid:} line of {@code /proc/self/status} on Linux, and the JDK's
 * {@code UnixSystem} elsewhere on Unix (macOS).
 */
final class ProcessOwner {

    private static final Path PROC_SELF_STATUS = Path.of("/proc/self/status");

    private ProcessOwner() {
    }

    /** This process's real user id. */
    static OptionalInt uid() {
        OptionalInt fromProc = realUidIn(PROC_SELF_STATUS);
        return fromProc.isPresent() ? fromProc : uidFromJdk();
    }

    /** The real user id of a {@code /proc/PID/status} file; empty where it is missing or unreadable. */
    static OptionalInt realUidIn(Path status) {
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) {
                    // Uid: real effective saved filesystem
                    return OptionalInt.of(Integer.parseInt(line.substring(4).trim().split("\\s+")[0]));
                }
            }
            return OptionalInt.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    private static OptionalInt uidFromJdk() {
        try {
            Class<?> unixSystem = Class.forName("com.sun.security.auth.module.UnixSystem");
            Object system = unixSystem.getConstructor().newInstance();
            return OptionalInt.of((int) (long) (Long) unixSystem.getMethod("getUid").invoke(system));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return OptionalInt.empty(); // Windows, or a runtime without the jdk.security.auth module
        }
    }

    /** The owner of a path, not following a link at its end; empty without POSIX owners. */
    static OptionalInt uidOf(Path path) throws IOException {
        try {
            return OptionalInt.of((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return OptionalInt.empty();
        }
    }
}
