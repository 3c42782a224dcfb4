package io.github.sqlitecanary.examples.notes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One boot of the notes application on Helidon MP, as a child process: {@code java -jar notes.jar}
 * (its dependencies in {@code libs/} beside it), listening on a free loopback port, configured
 * through environment variables as an operator would. Closing it stops the process tree.
 */
final class HelidonServer implements AutoCloseable {

    /** Generous: two shared cores, and other builds running beside this one. */
    static final Duration BOOT_DEADLINE = Duration.ofMinutes(4);

    static final String READINESS = "/health/ready";

    private static final Path NOTES_JAR = Path.of(System.getProperty("notes.jar", "target/notes.jar"));

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Process process;
    private final Path log;
    private final int port;

    private HelidonServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts the application with {@code java}, a Java 21+. {@code tmp} is the server's temporary
     * directory ({@code java.io.tmpdir}), the part of the file system that a redeploy wipes; the
     * console output goes to {@code log}.
     */
    static HelidonServer start(Path java, Path tmp, Path log, Map<String, String> canaryEnvironment)
            throws IOException {
        Files.createDirectories(tmp);
        Files.createDirectories(log.getParent());
        int port = freeLoopbackPort();
        List<String> command = List.of(
                java.toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + tmp,
                // Helidon MP's web server keys (MicroProfile Config: system properties win).
                "-Dserver.host=127.0.0.1",
                "-Dserver.port=" + port,
                "-jar", NOTES_JAR.toAbsolutePath().toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(log.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // Only what the test sets reaches the canary, not what the shell running the build has.
        builder.environment().keySet().removeIf(name -> name.startsWith("SQLITE_CANARY_"));
        builder.environment().putAll(canaryEnvironment);
        return new HelidonServer(builder.start(), log, port);
    }

    /**
     * Polls {@code /health/ready} until the canary's own check answers with a verdict. Helidon
     * starts listening only after CDI has started, so the first answer normally has it already.
     */
    Readiness awaitCanaryVerdict() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(BOOT_DEADLINE);
        Readiness last = null;
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("Helidon exited with " + process.exitValue() + "\n" + tail());
            }
            try {
                last = readiness();
                if (last.canary().isPresent() && !"STARTING".equals(last.state())) {
                    return last;
                }
            } catch (IOException notListeningYet) {
                // The web server is not up yet: poll again.
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError("Helidon gave no canary verdict within " + BOOT_DEADLINE
                + "; last readiness: " + last + "\n" + tail());
    }

    /** Waits for the process to end by itself, and returns its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(BOOT_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("Helidon still runs after " + BOOT_DEADLINE + "\n" + tail());
        }
        return process.exitValue();
    }

    Readiness readiness() throws IOException, InterruptedException {
        HttpResponse<String> response = get(READINESS);
        return new Readiness(response.statusCode(), response.body());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postJson(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The console output so far (Helidon logs there, one line per record). */
    String log() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String tail() {
        String text = log();
        return "--- end of " + log + " ---\n" + text.substring(Math.max(0, text.length() - 6000));
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Stops the server and everything it started: SIGTERM first, then a kill. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                handle.destroyForcibly();
            }
        }
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
