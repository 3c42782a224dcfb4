package io.github.sqlitecanary.faults;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the canary's command line in a child JVM as an unprivileged user, as production images
 * do: the official Payara Micro image runs as uid 1000, Open Liberty's as uid 1001 with gid 0.
 *
 * <p>When the suite runs as root (CI does), the child drops to that user with {@code setpriv};
 * otherwise the suite's own user is already unprivileged and the child runs as it. The child's
 * class path is copied where that user can read it (the local Maven repository is root's).
 */
final class UnprivilegedUser {

    /** A user id and group id to run as. */
    record Account(int uid, int gid, String image) {
        @Override
        public String toString() {
            return "uid " + uid + " gid " + gid + " (" + image + ")";
        }
    }

    static final Account PAYARA = new Account(1000, 1000, "Payara Micro image");
    static final Account OPEN_LIBERTY = new Account(1001, 0, "Open Liberty image");

    private static final String CLI = "io.github.sqlitecanary.cli.CanaryCommand";

    private UnprivilegedUser() {
    }

    static boolean suiteIsRoot() {
        return ownUid().orElse(-1) == 0;
    }

    static OptionalInt ownUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return OptionalInt.of(Integer.parseInt(line.substring(4).trim().split("\\s+")[0]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return OptionalInt.empty();
    }

    /** The account the children of this test run as: the one asked for under root, this JVM's own otherwise. */
    static Account effective(Account wanted) {
        if (ownUid().isEmpty()) {
            Assumptions.abort("SKIPPED: unprivileged-user tests need Linux (/proc/self/status)");
        }
        if (!suiteIsRoot()) {
            return new Account(ownUid().getAsInt(), -1, "this build's own user");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv")) && !Files.isExecutable(Path.of("/bin/setpriv"))) {
            Assumptions.abort("SKIPPED: running as root without setpriv (util-linux), so the canary cannot be run "
                    + "as an unprivileged user here");
        }
        return wanted;
    }

    /** A directory that every user may traverse, in a sticky, disk-backed place, for the children's files. */
    static Path newBase() throws IOException {
        Path base = Files.createTempDirectory(Path.of("/var/tmp"), "canary-users-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        return base;
    }

    /** The canary's classes and sqlite-jdbc, copied world-readable into {@code base/cp}. */
    static String readableClassPath(Path base) throws IOException, URISyntaxException {
        Path classes = Path.of(io.github.sqlitecanary.cli.CanaryCommand.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        Path driver = Path.of(org.sqlite.JDBC.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path target = base.resolve("cp");
        copyReadable(classes, target.resolve("classes"));
        Files.copy(driver, target.resolve("sqlite-jdbc.jar"));
        Files.setPosixFilePermissions(target.resolve("sqlite-jdbc.jar"), PosixFilePermissions.fromString("rw-r--r--"));
        return target.resolve("classes") + ":" + target.resolve("sqlite-jdbc.jar");
    }

    private static void copyReadable(Path from, Path to) throws IOException {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path source : tree.toList()) {
                Path copy = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(copy);
                    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else {
                    Files.copy(source, copy);
                    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
        Files.setPosixFilePermissions(to.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * {@code [setpriv …] [sh -c 'umask …'] java -cp … CanaryCommand args}.
     *
     * @param umask the child's umask, such as {@code 000}; null keeps the inherited one
     */
    static List<String> command(Account account, String classPath, Path tmpDir, String umask, List<String> args) {
        List<String> command = new ArrayList<>();
        if (account.gid() >= 0 && suiteIsRoot()) {
            command.addAll(List.of("setpriv", "--reuid=" + account.uid(), "--regid=" + account.gid(),
                    "--clear-groups", "--"));
        }
        if (umask != null) {
            command.addAll(List.of("sh", "-c", "umask " + umask + " && exec \"$@\"", "sh"));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + tmpDir,
                "-cp", classPath, CLI));
        command.addAll(args);
        return command;
    }

    /** Hands a path to the account, as a volume prepared for that user would be. */
    static void chown(Path path, Account account) throws IOException {
        if (suiteIsRoot()) {
            Files.setAttribute(path, "unix:uid", account.uid());
            Files.setAttribute(path, "unix:gid", Math.max(account.gid(), 0));
        }
    }

    static void deleteTree(Path tree) throws IOException {
        if (!Files.exists(tree)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
