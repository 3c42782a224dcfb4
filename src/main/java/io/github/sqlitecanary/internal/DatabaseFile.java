package io.github.sqlitecanary.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * What is at the database's path, found without SQLite: nothing, something that is not a file,
 * or a file whose 100-byte header says whether it is SQLite and in which journal mode. A named
 * pipe or a device is never opened.
 *
 * @param kind what was found
 * @param problem for {@link Kind#UNUSABLE}: what is wrong, as a sentence fragment
 */
public record DatabaseFile(Kind kind, String problem) {

    /** What is at the database's path. */
    public enum Kind {
        /** Nothing: a first boot creates the database. */
        ABSENT,
        /** An empty file, which SQLite takes as an empty database. */
        EMPTY,
        /** An SQLite database in rollback-journal mode. */
        ROLLBACK_JOURNAL,
        /** An SQLite database in WAL mode. */
        WAL,
        /** Anything SQLite must not be pointed at. */
        UNUSABLE
    }

    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final int WAL_VERSION = 2;

    /** Looks at the database's real path (links already resolved). */
    public static DatabaseFile inspect(Path file) {
        if (RealPath.isDanglingLink(file)) {
            return unusable("it is a symbolic link to a file that does not exist; the canary never creates a "
                    + "database through a link");
        }
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return new DatabaseFile(Kind.ABSENT, null);
        } catch (IOException e) {
            return unusable("cannot read its attributes (" + LockFile.describe(e) + ")");
        }
        if (attributes.isDirectory()) {
            return unusable("it is a directory, not a database file");
        }
        if (!attributes.isRegularFile()) {
            return unusable("it is not a regular file (a named pipe, a device or a socket)");
        }
        if (attributes.size() == 0) {
            return new DatabaseFile(Kind.EMPTY, null);
        }
        byte[] header = new byte[100];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(header, 0, header.length);
        } catch (AccessDeniedException e) {
            return unusable("this process may not read it (permission denied)");
        } catch (IOException e) {
            return unusable("cannot read it (" + LockFile.describe(e) + ")");
        }
        if (read < header.length || !Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return unusable("it is not an SQLite database (or it is encrypted)");
        }
        // Bytes 18 and 19: the file format's write and read versions, 2 in WAL mode.
        return new DatabaseFile(header[18] == WAL_VERSION || header[19] == WAL_VERSION ? Kind.WAL
                : Kind.ROLLBACK_JOURNAL, null);
    }

    private static DatabaseFile unusable(String problem) {
        return new DatabaseFile(Kind.UNUSABLE, problem);
    }
}
