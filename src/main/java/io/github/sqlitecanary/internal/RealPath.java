package io.github.sqlitecanary.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A path as the file system resolves it: every symbolic link and {@code ..} of its existing part
 * resolved by the operating system, the part that does not exist yet appended as written.
 *
 * <p>One database has one real path however it is spelled (through a symbolic link, a relative
 * path in a linked working directory, {@code ..}), and so one lock.
 */
public final class RealPath {

    private RealPath() {
    }

    /** The real path of an absolute path; never throws, falls back to the normalised path. */
    public static Path of(Path absolute) {
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute.normalize();
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(absolute)).normalize();
        } catch (IOException | SecurityException e) {
            return absolute.normalize();
        }
    }

    /** Whether the path itself is a symbolic link whose target does not exist. */
    public static boolean isDanglingLink(Path path) {
        return Files.isSymbolicLink(path) && !Files.exists(path);
    }

    /** Whether the path exists without following a link at its end. */
    static boolean existsNoFollow(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }
}
