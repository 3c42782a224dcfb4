package io.github.sqlitecanary.examples.servers;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP sockets that a process tree listens on, read from Linux's {@code /proc}: a socket's inode
 * in {@code /proc/<pid>/fd}, its address in {@code /proc/net/tcp} and {@code tcp6}.
 */
final class ListeningSockets {

    private static final String LISTEN = "0A";

    private ListeningSockets() {
    }

    /** "127.0.0.1:8080", "[::ffff:127.0.0.1]:8080", "0.0.0.0:7676" and so on. */
    static List<String> of(ProcessHandle root) throws IOException {
        Set<String> inodes = new HashSet<>();
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
        tree.add(root);
        for (ProcessHandle process : tree) {
            Path fds = Path.of("/proc", Long.toString(process.pid()), "fd");
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
                for (Path fd : entries) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            inodes.add(target.substring("socket:[".length(), target.length() - 1));
                        }
                    } catch (IOException closedMeanwhile) {
                        // The descriptor went away while we read: not a listener of interest.
                    }
                }
            } catch (IOException exited) {
                // The process exited meanwhile.
            }
        }
        List<String> listening = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try (Stream<String> lines = Files.lines(Path.of(table))) {
                lines.skip(1).map(line -> line.trim().split("\\s+"))
                        .filter(fields -> fields.length > 9 && LISTEN.equals(fields[3]) && inodes.contains(fields[9]))
                        .map(fields -> address(fields[1]))
                        .forEach(listening::add);
            }
        }
        return listening;
    }

    static boolean isLoopback(String address) {
        return address.startsWith("127.") || address.startsWith("[::1]") || address.startsWith("[::ffff:127.");
    }

    /** {@code 0100007F:1F90} is 127.0.0.1:8080; IPv6 addresses are four little-endian words. */
    private static String address(String hex) {
        String[] parts = hex.split(":");
        int port = Integer.parseInt(parts[1], 16);
        String ip = parts[0];
        if (ip.length() == 8) {
            return ipv4(ip) + ":" + port;
        }
        if (ip.startsWith("0000000000000000FFFF0000")) {
            return "[::ffff:" + ipv4(ip.substring(24)) + "]:" + port;
        }
        if (ip.equals("00000000000000000000000001000000")) {
            return "[::1]:" + port;
        }
        if (ip.equals("00000000000000000000000000000000")) {
            return "[::]:" + port;
        }
        return "[" + ip + "]:" + port;
    }

    private static String ipv4(String littleEndianHex) {
        StringBuilder ip = new StringBuilder();
        for (int i = 6; i >= 0; i -= 2) {
            ip.append(Integer.parseInt(littleEndianHex.substring(i, i + 2), 16)).append(i > 0 ? "." : "");
        }
        return ip.toString();
    }
}
