package io.github.sqlitecanary.internal;

import java.nio.file.FileSystems;
import java.util.OptionalInt;

/**
 * What the operating system offers the lock: POSIX permissions and owners (and with them a
 * directory that can be forced to disk), and the process's user id. Off Linux and macOS (Windows
 * developers' machines) there are neither, and nothing that needs them is tried.
 *
 * @param posix whether files have POSIX permissions and owners
 * @param uid this process's real user id; empty where the operating system cannot tell
 */
public record LocalSystem(boolean posix, OptionalInt uid) {

    public static LocalSystem ofThisMachine() {
        return new LocalSystem(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
                ProcessOwner.uid());
    }
}
