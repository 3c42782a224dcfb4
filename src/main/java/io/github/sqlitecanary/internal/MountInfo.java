package io.github.sqlitecanary.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mount table of {@code /proc/self/mountinfo}, parsed from its text: pure, so that captured
 * samples from containers and pods can be tested on any machine.
 *
 * <p>One line per mount (see {@code proc(5)}):
 * <pre>
 * 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 * id parent major:minor root mount-point options [optional fields...] - type source super-options
 * </pre>
 * The kernel escapes space, tab, newline and backslash in paths as {@code \040}, {@code \011},
 * {@code \012} and {@code \134}; they are decoded here. Lines that do not have this shape are
 * skipped rather than trusted: a mount table the canary cannot read judges nothing.
 */
public final class MountInfo {

    /**
     * One mount.
     *
     * @param id the mount's id
     * @param parentId the id of the mount it sits on
     * @param device {@code major:minor} of the file system; equal for the same file system
     * @param root the directory of the file system that is mounted: {@code /} for a whole file
     *        system, a path inside it for a bind mount (such as a Docker volume's {@code _data})
     * @param mountPoint where it is mounted, relative to this process's root
     * @param options per-mount options, such as {@code ro,relatime}
     * @param type the file-system type, such as {@code ext4}, {@code overlay}, {@code fuse.s3fs}
     * @param source the file system's source, such as {@code /dev/sda1}; may be empty
     * @param superOptions per-file-system options
     */
    public record Mount(int id, int parentId, String device, String root, String mountPoint, String options,
            String type, String source, String superOptions) {

        /** The mount point as a path, or empty if it is not one this platform can name. */
        Optional<Path> mountPointPath() {
            try {
                return Optional.of(Path.of(mountPoint));
            } catch (InvalidPathException e) {
                return Optional.empty();
            }
        }
    }

    private final List<Mount> mounts;

    private MountInfo(List<Mount> mounts) {
        this.mounts = List.copyOf(mounts);
    }

    /** Parses the text of a mountinfo file; never throws, skips lines it cannot read. */
    public static MountInfo parse(String text) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : text.split("\n")) {
            parseLine(line).ifPresent(mounts::add);
        }
        return new MountInfo(mounts);
    }

    public List<Mount> mounts() {
        return mounts;
    }

    /**
     * The mount whose mount point is exactly {@code path}: the top one where several are stacked
     * on the same point. Empty if {@code path} is not a mount point.
     */
    public Optional<Mount> mountAt(Path path) {
        List<Mount> stacked = new ArrayList<>();
        for (Mount mount : mounts) {
            if (mount.mountPointPath().filter(path::equals).isPresent()) {
                stacked.add(mount);
            }
        }
        return top(stacked);
    }

    /** The mount that holds {@code path}: the one with the longest mount point that contains it. */
    public Optional<Mount> nearestMount(Path path) {
        int longest = -1;
        List<Mount> stacked = new ArrayList<>();
        for (Mount mount : mounts) {
            Optional<Path> point = mount.mountPointPath().filter(path::startsWith);
            if (point.isEmpty()) {
                continue;
            }
            int depth = point.get().getNameCount();
            if (depth > longest) {
                longest = depth;
                stacked.clear();
            }
            if (depth == longest) {
                stacked.add(mount);
            }
        }
        return top(stacked);
    }

    /**
     * Of mounts stacked on one mount point, the one that is seen: the one no other sits on. The
     * file's order is not relied upon (some runtimes list mounts before the root they sit on).
     */
    private static Optional<Mount> top(List<Mount> stacked) {
        Mount seen = null;
        for (Mount candidate : stacked) {
            boolean covered = stacked.stream().anyMatch(other -> other != candidate && other.parentId() == candidate.id());
            if (!covered) {
                seen = candidate;
            }
        }
        if (seen == null && !stacked.isEmpty()) {
            seen = stacked.get(stacked.size() - 1);
        }
        return Optional.ofNullable(seen);
    }

    static Optional<Mount> parseLine(String line) {
        // split with -1 keeps empty fields: a kernel before 5.1 wrote an empty source as two spaces.
        String[] fields = line.split(" ", -1);
        int separator = -1;
        for (int i = 6; i < fields.length; i++) {
            if (fields[i].equals("-")) {
                separator = i;
                break;
            }
        }
        if (separator < 0 || fields.length < separator + 3) {
            return Optional.empty();
        }
        try {
            int id = Integer.parseInt(fields[0]);
            int parentId = Integer.parseInt(fields[1]);
            if (!fields[2].matches("\\d+:\\d+")) {
                return Optional.empty();
            }
            String superOptions = separator + 3 < fields.length ? fields[separator + 3] : "";
            return Optional.of(new Mount(id, parentId, fields[2], unescape(fields[3]), unescape(fields[4]),
                    fields[5], unescape(fields[separator + 1]), unescape(fields[separator + 2]),
                    unescape(superOptions)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Decodes the kernel's octal escapes ({@code \040} is a space). The escapes stand for bytes,
     * and a path's bytes are UTF-8, so the field is decoded byte by byte.
     */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(field.length());
        int i = 0;
        while (i < field.length()) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                bytes.write(Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 4;
            } else {
                int codePoint = field.codePointAt(i);
                bytes.writeBytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(codePoint);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean isOctal(String field, int start) {
        if (start + 3 > field.length()) {
            return false;
        }
        for (int i = start; i < start + 3; i++) {
            char c = field.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        // \400 and above are not bytes.
        return field.charAt(start) <= '3';
    }
}
