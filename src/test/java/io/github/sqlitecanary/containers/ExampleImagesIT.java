package io.github.sqlitecanary.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.sqlitecanary.containers.Podman.Container;
import io.github.sqlitecanary.containers.Podman.Result;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Both examples as images, built from their own Dockerfiles and deployed the way production
 * deploys them, under Podman: the image's own non-root user, entrypoint and command, a named volume
 * at {@code /data}, the HTTP port published on 127.0.0.1 only.
 *
 * <ol>
 *   <li>first container → 503 {@code FIRST_BOOT}, the guidance in the container log; a note is
 *       written through the application's REST API;</li>
 *   <li>{@code podman restart} (the same container: its {@code /tmp} and the lock survive) → 503
 *       {@code AWAITING_REDEPLOY};</li>
 *   <li>a new container on the same volume (a redeploy) → 200 {@code VERIFIED}, the note read back;</li>
 *   <li>a container without the volume → 503 {@code EPHEMERAL_FILESYSTEM}. It is created with
 *       {@code --image-volume ignore}, as Kubernetes and Fly.io treat the Dockerfile's
 *       {@code VOLUME}: the database lands on the container's own file system. (Docker and Podman
 *       would otherwise make an anonymous volume, which the canary accepts with a warning.)</li>
 * </ol>
 *
 * <p>No registry is reachable here, so the official base images cannot be pulled: each example's
 * Dockerfile takes its base as the build argument {@code BASE_IMAGE} (default: the official image),
 * and this test supplies a stand-in with the official image's layout and user, built from
 * {@code .ci/images/<server>/Dockerfile} on {@code localhost/jre17} with the server from the local
 * Maven repository, the very version the example's {@code pom.xml} runs. Stand-ins are cached by tag
 * (and rebuilt when their files or the server change); the example images are built once per test
 * and removed after it, with every container and volume.
 *
 * <p>The images are built from the examples as the root build's maven-invoker run leaves them
 * ({@code target/examples/<example>}, with {@code target/notes.war}), so this test needs the
 * examples: with {@code -DskipExamples} it is skipped. Without Podman or {@code localhost/jre17}
 * it is skipped with the reason, and fails under {@code CI=true} (see {@link Podman}).
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ExampleImagesIT {

    private static final Path BUILT_EXAMPLES = Path.of(System.getProperty("canary.examples.dir", "target/examples"));
    private static final Path STAND_INS = Path.of(System.getProperty("canary.standins.dir", ".ci/images"));
    private static final Path MAVEN_REPOSITORY = Path.of(System.getProperty("canary.maven.repository",
            Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));
    private static final Path WORK = Path.of(System.getProperty("canary.it.work.dir", "target/example-images"));
    private static final boolean EXAMPLES_SKIPPED = Boolean.parseBoolean(System.getProperty("canary.examples.skipped", "false"));
    private static final String STAND_IN_LABEL = "io.github.sqlitecanary.stand-in";
    private static final Duration BOOT_DEADLINE = Duration.ofMinutes(4);
    private static final String READINESS_CHECK = "sqlite-persistence-canary";

    /**
     * Payara Micro's data grid listens on every interface even with {@code --nocluster}; in these
     * tests it listens on the container's loopback only: a preboot command file (mounted read-only)
     * and Hazelcast's own switch, passed through the official image's {@code JVM_ARGS}.
     */
    private static final List<String> PAYARA_LOOPBACK_PREBOOT = List.of("set hazelcast-runtime-configuration.interface=127.0.0.1");

    /** One example and the server image it is built on. */
    enum Example {
        PAYARA("payara", "payara-micro", "payara-micro.version", 8080, "uid=1000(payara) gid=1000(payara)"),
        OPEN_LIBERTY("openliberty", "open-liberty", "openliberty.version", 9080, "uid=1001(default) gid=0(root)");

        final String directory;
        final String standIn;
        final String versionProperty;
        final int port;
        final String expectedUser;

        Example(String directory, String standIn, String versionProperty, int port, String expectedUser) {
            this.directory = directory;
            this.standIn = standIn;
            this.versionProperty = versionProperty;
            this.port = port;
            this.expectedUser = expectedUser;
        }
    }

    @RegisterExtension
    final Podman podman = new Podman();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void examplesBuilt() {
        if (EXAMPLES_SKIPPED) {
            String message = "example image test skipped: the examples were not built (-DskipExamples)";
            System.err.println("[WARNING] " + message);
            Assumptions.abort(message);
        }
    }

    @Test
    void payaraMicroImage() throws Exception {
        deployLikeProduction(Example.PAYARA);
    }

    @Test
    void openLibertyImage() throws Exception {
        deployLikeProduction(Example.OPEN_LIBERTY);
    }

    private void deployLikeProduction(Example example) throws Exception {
        Path context = BUILT_EXAMPLES.resolve(example.directory).toAbsolutePath();
        assertTrue(Files.isRegularFile(context.resolve("target/notes.war")),
                "no " + context.resolve("target/notes.war") + ": the root build's maven-invoker run builds the examples there");
        Instant started = Instant.now();
        String base = standIn(example, context);
        String image = "localhost/canary-it/notes-" + example.directory + ":" + UUID.randomUUID().toString().substring(0, 8);
        Instant building = Instant.now();
        podman.build(image, context, List.of("BASE_IMAGE=" + base));
        log(example, "built " + image + " FROM " + base + " in " + seconds(building) + " (stand-in ready after "
                + Duration.between(started, building).toSeconds() + " s)");

        List<String> serverOptions = new ArrayList<>(List.of("-p", "127.0.0.1::" + example.port));
        if (example == Example.PAYARA) {
            Path preboot = Files.createDirectories(WORK).resolve("payara-loopback-preboot.txt");
            Files.write(preboot, PAYARA_LOOPBACK_PREBOOT);
            serverOptions.addAll(List.of("-v", preboot.toAbsolutePath() + ":/run/canary-it/preboot.txt:ro",
                    "-e", "JVM_ARGS=-Dhazelcast.socket.bind.any=false"));
        }
        List<String> command = command(example, image);
        String volume = podman.volume();
        List<String> withVolume = new ArrayList<>(serverOptions);
        withVolume.addAll(List.of("-v", volume + ":/data"));
        String note = "written by the first container of " + image;

        // 0. The manifests' init container before the first deploy: status predicts FIRST_BOOT and
        //    writes nothing (step 1 still finds no marker).
        JsonObject beforeFirst = initContainerStatus(image, volume);
        log(example, "init container (status) before the first deploy: " + beforeFirst.getString("state"));
        assertEquals("FIRST_BOOT", beforeFirst.getString("state"), beforeFirst.toString());

        // 1. First deploy: FIRST_BOOT, the guidance in the log; the application works (a note).
        Container first = podman.createServer(image, withVolume, command);
        Instant step = Instant.now();
        first.startDetached();
        Readiness firstBoot = awaitVerdict(example, first);
        String user = first.exec("id").stdout().strip();
        log(example, "first container (" + user + ", -v " + volume + ":/data): " + firstBoot.summary() + " after " + seconds(step));
        assertTrue(user.startsWith(example.expectedUser), "the image's own non-root user, got " + user);
        assertEquals(503, firstBoot.status(), firstBoot.toString());
        assertEquals("FIRST_BOOT", firstBoot.state(), firstBoot.toString());
        String firstLog = first.logs();
        assertTrue(firstLog.contains("FIRST_BOOT") && firstLog.contains("redeploy now"),
                "the guidance in the container log:\n" + tail(firstLog));
        HttpResponse<String> created = post(first.hostPort(example.port), "/notes/api/notes",
                "{\"text\":\"" + note + "\"}");
        assertTrue(created.statusCode() / 100 == 2, "a note written: " + created.statusCode() + " " + created.body());
        if (example == Example.PAYARA) {
            assertDataGridOnLoopback(first);
        }

        // 2. podman restart: the same container keeps its /tmp and the lock.
        step = Instant.now();
        first.restart();
        Readiness restarted = awaitVerdict(example, first);
        log(example, "podman restart of the first container (" + first.exec("id").stdout().strip() + "): "
                + restarted.summary() + " after " + seconds(step));
        assertEquals(503, restarted.status(), restarted.toString());
        assertEquals("AWAITING_REDEPLOY", restarted.state(), restarted.toString());
        stop(example, first);

        // 3. Redeploy: the init container predicts VERIFIED, then a new container on the same volume.
        JsonObject beforeRedeploy = initContainerStatus(image, volume);
        log(example, "init container (status) before the redeploy: " + beforeRedeploy.getString("state"));
        assertEquals("VERIFIED", beforeRedeploy.getString("state"), beforeRedeploy.toString());
        Container second = podman.createServer(image, withVolume, command);
        step = Instant.now();
        second.startDetached();
        Readiness redeployed = awaitVerdict(example, second);
        log(example, "new container on the same volume (" + second.exec("id").stdout().strip() + "): "
                + redeployed.summary() + " after " + seconds(step));
        assertEquals(200, redeployed.status(), redeployed.toString());
        assertEquals("VERIFIED", redeployed.state(), redeployed.toString());
        HttpResponse<String> notes = get(second.hostPort(example.port), "/notes/api/notes");
        log(example, "GET /notes/api/notes on the new container: " + notes.statusCode() + " " + notes.body());
        assertEquals(200, notes.statusCode(), notes.body());
        assertTrue(notes.body().contains(note), "the first deploy's note read back: " + notes.body());
        stop(example, second);

        // 4. No volume at /data (as on Kubernetes or Fly.io without one): the container's own disk.
        List<String> withoutVolume = new ArrayList<>(serverOptions);
        withoutVolume.addAll(List.of("--image-volume", "ignore"));
        Container ephemeral = podman.createServer(image, withoutVolume, command);
        step = Instant.now();
        ephemeral.startDetached();
        Readiness noVolume = awaitVerdict(example, ephemeral);
        log(example, "container without the volume (" + ephemeral.exec("id").stdout().strip() + ", --image-volume ignore): "
                + noVolume.summary() + " after " + seconds(step));
        assertEquals(503, noVolume.status(), noVolume.toString());
        assertEquals("EPHEMERAL_FILESYSTEM", noVolume.state(), noVolume.toString());
        stop(example, ephemeral);
        log(example, "whole story in " + seconds(started));
    }

    /**
     * The init container of the examples' {@code k8s/notes.yaml}: the image's CLI jar, run by the
     * image's own user and JRE, {@code status} with the application's database on the volume; it
     * exits 0 whatever the verdict ({@code --on-failure log}).
     */
    private static JsonObject initContainerStatus(String image, String volume) {
        Result run = Podman.podman(180, "run", "--rm", "--pull=never", "--network", "none", "-v", volume + ":/data",
                "-e", "SQLITE_CANARY_DATABASE=/data/notes.db", "--entrypoint", "java", image,
                "-jar", "/opt/canary/sqlite-persistence-canary-cli.jar", "status", "--on-failure", "log", "--json");
        assertEquals(0, run.exitCode(), "the init container's status exits 0 with --on-failure log: " + run);
        return Json.createReader(new StringReader(run.stdout())).readObject();
    }

    private static void stop(Example example, Container container) {
        Instant start = Instant.now();
        container.stop();
        log(example, "podman stop " + container.name() + " took " + seconds(start));
    }

    /**
     * The image's own command, except that Payara's data grid is bound to loopback: the same
     * arguments plus {@code --prebootcommandfile}.
     */
    private static List<String> command(Example example, String image) {
        if (example != Example.PAYARA) {
            return List.of();
        }
        String cmd = Podman.check(Podman.podman(60, "image", "inspect", "--format", "{{json .Config.Cmd}}", image)).stdout();
        List<String> command = new ArrayList<>();
        try (var reader = Json.createReader(new StringReader(cmd))) {
            for (JsonValue value : reader.readArray()) {
                command.add(((jakarta.json.JsonString) value).getString());
            }
        }
        assertTrue(command.contains("--nocluster"), "the example's CMD runs one instance: " + command);
        command.addAll(List.of("--prebootcommandfile", "/run/canary-it/preboot.txt"));
        return command;
    }

    /** Nothing of Payara Micro (HTTP aside) listens beyond the container's loopback. */
    private static void assertDataGridOnLoopback(Container container) {
        Result tcp = container.exec("sh", "-c", "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null");
        List<String> wide = new ArrayList<>();
        for (String line : tcp.stdout().split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > 3 && fields[3].equals("0A")) { // LISTEN
                String[] local = fields[1].split(":");
                int port = Integer.parseInt(local[1], 16);
                // 127.0.0.1, ::1, and ::ffff:127.0.0.1 as /proc/net/tcp{,6} spell them.
                boolean loopback = local[0].equals("0100007F") || local[0].equals("00000000000000000000000001000000")
                        || local[0].equals("0000000000000000FFFF00000100007F");
                if (!loopback && port != Example.PAYARA.port) {
                    wide.add(fields[1]);
                }
            }
        }
        assertTrue(wide.isEmpty(), "listening beyond loopback inside the container: " + wide);
    }

    // ---------------------------------------------------------------- stand-in base images

    /**
     * The local stand-in for the example's official base image: built once and cached by tag; built
     * again when its files or the server artefact change (a label holds their digest).
     */
    private static synchronized String standIn(Example example, Path context) throws IOException {
        String version = property(context.resolve("pom.xml"), example.versionProperty);
        String dockerfile = Files.readString(context.resolve("Dockerfile"));
        Matcher declared = Pattern.compile("(?m)^ARG BASE_IMAGE=(\\S+)").matcher(dockerfile);
        assertTrue(declared.find(), example.directory + "/Dockerfile: ARG BASE_IMAGE=<the official image>");
        String official = declared.group(1);
        assertTrue(official.contains(":" + version + "-"),
                example.directory + "/Dockerfile: the official image " + official + " must be the version the pom runs, " + version);
        Path artefact = example == Example.PAYARA
                ? MAVEN_REPOSITORY.resolve("fish/payara/extras/payara-micro/" + version + "/payara-micro-" + version + ".jar")
                : MAVEN_REPOSITORY.resolve("io/openliberty/openliberty-runtime/" + version + "/openliberty-runtime-" + version + ".zip");
        assertTrue(Files.isRegularFile(artefact), "no " + artefact + ": the example's build resolves it");
        String tag = "localhost/canary-ci/" + example.standIn + ":" + version
                + (example == Example.PAYARA ? "-jdk17" : "-full-java17");
        Path files = STAND_INS.resolve(example.standIn);
        String digest = digest(files, artefact);
        Result existing = Podman.podman(60, "image", "inspect", "--format", "{{index .Labels \"" + STAND_IN_LABEL + "\"}}", tag);
        if (existing.exitCode() == 0 && existing.stdout().strip().equals(digest)) {
            return tag;
        }
        Instant start = Instant.now();
        Path buildContext = WORK.resolve("stand-in-" + example.standIn);
        deleteTree(buildContext);
        copyTree(files, buildContext);
        if (example == Example.PAYARA) {
            Files.copy(artefact, buildContext.resolve("payara-micro.jar"));
        } else {
            unzip(artefact, buildContext);
        }
        Result build = Podman.podman(900, "build", "--pull=never", "--quiet", "--label", STAND_IN_LABEL + "=" + digest,
                "--tag", tag, buildContext.toString());
        deleteTree(buildContext);
        Podman.check(build);
        Podman.podman(120, "image", "prune", "--force", "--filter", "label=" + STAND_IN_LABEL); // the replaced one, untagged
        System.out.println("[example images] built the stand-in " + tag + " for " + official + " in " + seconds(start));
        return tag;
    }

    private static String property(Path pom, String name) throws IOException {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(Files.readString(pom));
        assertTrue(m.find(), pom + ": <" + name + ">");
        return m.group(1).strip();
    }

    /** Of the stand-in's files (names and contents) and the artefact (name, size, time). */
    private static String digest(Path files, Path artefact) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (Stream<Path> walk = Files.walk(files)) {
                for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                    sha.update(files.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
                    sha.update(Files.readAllBytes(file));
                    sha.update((byte) (Files.isExecutable(file) ? 1 : 0));
                }
            }
            sha.update((artefact.getFileName() + ":" + Files.size(artefact) + ":" + Files.getLastModifiedTime(artefact))
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Unpacks the Open Liberty zip (its entries start with {@code wlp/}) into {@code target}; files
     * that start with {@code #!} become executable (a zip's Unix modes are not read by java.util.zip).
     */
    private static void unzip(Path zip, Path target) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                Path out = root.resolve(entry.getName()).normalize();
                if (!out.startsWith(root)) {
                    throw new IOException("zip entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                try (InputStream head = Files.newInputStream(out)) {
                    byte[] magic = head.readNBytes(2);
                    if (magic.length == 2 && magic[0] == '#' && magic[1] == '!') {
                        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(out);
                        perms.addAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                                PosixFilePermission.OTHERS_EXECUTE));
                        Files.setPosixFilePermissions(out, perms);
                    }
                }
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    // ---------------------------------------------------------------- HTTP

    /** One answer of {@code GET /health/ready}. */
    record Readiness(int status, String body) {

        Optional<JsonObject> canary() {
            JsonArray checks = checks();
            return checks == null ? Optional.empty() : checks.getValuesAs(JsonObject.class).stream()
                    .filter(check -> READINESS_CHECK.equals(check.getString("name", ""))).findFirst();
        }

        boolean hasCheck(String name) {
            JsonArray checks = checks();
            return checks != null && checks.getValuesAs(JsonObject.class).stream().anyMatch(c -> name.equals(c.getString("name", "")));
        }

        private JsonArray checks() {
            if (!body.startsWith("{")) {
                return null;
            }
            try (var reader = Json.createReader(new StringReader(body))) {
                JsonObject json = reader.readObject();
                return json.containsKey("checks") ? json.getJsonArray("checks") : null;
            }
        }

        String state() {
            JsonObject data = canary().orElseThrow(() -> new AssertionError("no canary check in " + body)).getJsonObject("data");
            return data == null ? "" : data.getString("state", "");
        }

        /** The status code, the verdict, and every check's name and status. */
        String summary() {
            JsonArray checks = checks();
            List<String> all = new ArrayList<>();
            if (checks != null) {
                for (JsonObject check : checks.getValuesAs(JsonObject.class)) {
                    all.add(check.getString("name", "?") + " " + check.getString("status", "?"));
                }
            }
            return "HTTP " + status + " " + state() + " " + all;
        }
    }

    /**
     * Polls {@code /health/ready} until the canary has given its verdict: its check is there, is not
     * STARTING, and Payara's own "No Application deployed" check is gone (while the WAR deploys,
     * Payara can show the application's checks already UP beside that 503 check).
     */
    private Readiness awaitVerdict(Example example, Container container) throws InterruptedException {
        Instant deadline = Instant.now().plus(BOOT_DEADLINE);
        Readiness last = null;
        String error = null;
        while (Instant.now().isBefore(deadline)) {
            if (!container.running()) {
                fail(container.name() + " stopped before a verdict; log:\n" + tail(container.logs()));
            }
            try {
                HttpResponse<String> response = get(container.hostPort(example.port), "/health/ready");
                last = new Readiness(response.statusCode(), response.body());
                if (last.canary().isPresent() && !last.hasCheck("No Application deployed")
                        && !"STARTING".equals(last.state())) {
                    return last;
                }
            } catch (IOException notListeningYet) {
                error = notListeningYet.toString();
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError(container.name() + " gave no canary verdict within " + BOOT_DEADLINE + "; last: " + last
                + (error == null ? "" : "; " + error) + "\n" + tail(container.logs()));
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(int port, String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    // ---------------------------------------------------------------- output

    private static void log(Example example, String line) {
        System.out.println("[example images] notes-" + example.directory + ": " + line);
    }

    private static String seconds(Instant since) {
        return Duration.between(since, Instant.now()).toSeconds() + " s";
    }

    private static String tail(String log) {
        String[] lines = log.split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 60), lines.length));
    }
}
