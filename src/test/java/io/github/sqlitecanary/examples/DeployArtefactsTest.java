package io.github.sqlitecanary.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The examples' deploy artefacts ({@code k8s/*.yaml}, {@code fly.toml}, {@code Dockerfile}) kept
 * honest without a cluster: users copy them, and a probe on the wrong port or a volume beside the
 * database would turn the canary's promise into a deploy that never becomes ready, or worse, one
 * that becomes ready on a disk that the next deploy erases.
 *
 * <p>For each example: the readiness check asks the server's HTTP port for {@code /health/ready};
 * a persistent volume is mounted at the directory of the database the application is configured
 * with (the manifest's environment wins over the WAR's {@code microprofile-config.properties}, as
 * MicroProfile Config orders them); the canary's lock directory is not on that volume (a redeploy
 * must wipe it); and a deploy identifier, where one is set, changes with every deploy. An init
 * container runs the canary's CLI jar from the application's image with the same database (the
 * same volume at the same path) and the same {@code SQLITE_CANARY_*} configuration; one that runs
 * {@code check} shares the lock directory with the application through an {@code emptyDir}, since
 * each container has its own {@code /tmp}.
 */
class DeployArtefactsTest {

    private static final Path EXAMPLES = Path.of(System.getProperty("basedir", "."), "examples");
    private static final String READINESS_PATH = "/health/ready";
    private static final String DEFAULT_TMPDIR = "/tmp"; // java.io.tmpdir in both official images
    private static final String DEFAULT_LOCK_DIR = "${java.io.tmpdir}/sqlite-persistence-canary";

    /**
     * The examples that deploy somewhere: those with a Dockerfile. (examples/servers only tests the
     * notes WAR on full application servers; it has no deploy artefacts.)
     */
    static Stream<String> examples() throws IOException {
        try (Stream<Path> dirs = Files.list(EXAMPLES)) {
            List<String> names = dirs.filter(d -> Files.isRegularFile(d.resolve("pom.xml")))
                    .filter(d -> Files.isRegularFile(d.resolve("Dockerfile")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
            return names.stream();
        }
    }

    @Test
    void everyExampleIsChecked() throws IOException {
        assertEquals(List.of("openliberty", "payara"), examples().toList(),
                "a new example needs its server's HTTP port in serverPort()");
    }

    // ---------------------------------------------------------------- Kubernetes

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void kubernetesManifests(String example) throws IOException {
        Path dir = EXAMPLES.resolve(example);
        List<Path> manifests;
        try (Stream<Path> files = Files.list(dir.resolve("k8s"))) {
            manifests = files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        }
        assertFalse(manifests.isEmpty(), example + ": no k8s/*.yaml");
        int workloads = 0;
        for (Path manifest : manifests) {
            workloads += checkKubernetes(dir, example + "/k8s/" + manifest.getFileName(), Files.readString(manifest));
        }
        assertTrue(workloads > 0, example + ": no StatefulSet or Deployment in " + manifests);
    }

    /** Checks every workload of one manifest; returns how many there were. */
    static int checkKubernetes(Path dir, String name, String yaml) throws IOException {
        List<Map<String, Object>> documents = yamlDocuments(yaml);
        int workloads = 0;
        for (Map<String, Object> doc : documents) {
            String kind = (String) doc.get("kind");
            if ("StatefulSet".equals(kind) || "Deployment".equals(kind)) {
                workloads++;
                checkWorkload(dir, name, doc, documents);
            }
        }
        return workloads;
    }

    private static void checkWorkload(Path dir, String name, Map<String, Object> workload,
            List<Map<String, Object>> documents) throws IOException {
        String where = name + " " + workload.get("kind") + " " + map(workload, "metadata").get("name");
        Map<String, Object> spec = map(workload, "spec");
        assertEquals(1, spec.get("replicas"), where + ": SQLite has one writer; one replica");
        Map<String, Object> podSpec = map(map(spec, "template"), "spec");
        List<Map<String, Object>> containers = list(podSpec, "containers");
        assertEquals(1, containers.size(), where + ": one application container expected");
        Map<String, Object> container = containers.get(0);
        Map<String, Object> env = environment(container, where);

        // The readiness probe: the canary's endpoint on the server's HTTP port.
        Map<String, Object> httpGet = map(map(container, "readinessProbe"), "httpGet");
        assertEquals(READINESS_PATH, httpGet.get("path"), where + ": readinessProbe path");
        int serverPort = serverPort(dir);
        assertEquals(serverPort, containerPort(container, httpGet.get("port"), where),
                where + ": readinessProbe port must be the server's HTTP port");
        // A Service, if any, sends traffic to the same port.
        for (Map<String, Object> doc : documents) {
            if ("Service".equals(doc.get("kind"))) {
                for (Map<String, Object> port : list(map(doc, "spec"), "ports")) {
                    Object target = port.getOrDefault("targetPort", port.get("port"));
                    assertEquals(serverPort, containerPort(container, target, where),
                            where + ": Service " + map(doc, "metadata").get("name") + " targets the server's port");
                }
            }
        }

        // The database's directory on a persistent volume.
        Effective config = Effective.of(dir, env, where);
        Path databaseDir = config.databaseDirectory();
        List<String> persistent = new ArrayList<>();
        if (spec.get("volumeClaimTemplates") != null) {
            for (Map<String, Object> claim : list(spec, "volumeClaimTemplates")) {
                persistent.add((String) map(claim, "metadata").get("name"));
            }
        }
        if (podSpec.get("volumes") != null) {
            for (Map<String, Object> volume : list(podSpec, "volumes")) {
                if (volume.containsKey("persistentVolumeClaim")) {
                    persistent.add((String) volume.get("name"));
                }
            }
        }
        List<Path> persistentMounts = new ArrayList<>();
        for (Map<String, Object> mount : list(container, "volumeMounts")) {
            if (persistent.contains(mount.get("name"))) {
                assertFalse(mount.containsKey("subPath"), where + ": a subPath mount is not read by this test");
                persistentMounts.add(Path.of((String) mount.get("mountPath")));
            }
        }
        assertTrue(persistentMounts.stream().anyMatch(databaseDir::startsWith),
                where + ": the database " + config.database + " must be on a PersistentVolumeClaim mounted at "
                        + databaseDir + "; persistent mounts: " + persistentMounts);

        // The lock directory off every persistent volume: a redeploy must wipe it.
        for (Path mount : persistentMounts) {
            assertFalse(config.lockDirectory().startsWith(mount),
                    where + ": the lock directory " + config.lockDirectory() + " is on the persistent volume at " + mount
                            + ": no redeploy could ever wipe it");
        }

        // A deploy identifier, where one is set, must change with every deploy.
        Object deployId = env.get("SQLITE_CANARY_DEPLOY_ID");
        if (deployId != null) {
            assertTrue(deployId instanceof Map, where + ": SQLITE_CANARY_DEPLOY_ID=" + deployId
                    + " is a constant, the same for every deploy: the database could never be VERIFIED");
            @SuppressWarnings("unchecked")
            Map<String, Object> valueFrom = (Map<String, Object>) deployId;
            assertEquals("metadata.uid", map(valueFrom, "fieldRef").get("fieldPath"),
                    where + ": the deploy identifier must be the pod's UID (new for every pod; a StatefulSet pod's"
                            + " name stays the same across redeploys)");
        }
        assertNull(config.deployIdFromWar(),
                where + ": sqlite.canary.deploy-id in the WAR is a constant: it never changes between deploys");

        checkInitContainers(dir, where, podSpec, container, env, config, persistent);

        // The image's non-root user can write the volume.
        Map<String, Object> security = podSpec.get("securityContext") == null ? Map.of() : map(podSpec, "securityContext");
        assertNotNull(security.get("fsGroup"), where + ": the image runs as a non-root user: set securityContext.fsGroup"
                + " so that it can write the volume");
    }

    /**
     * Init containers that run the canary's CLI: the application's image, database and configuration;
     * {@code check} only with the lock directory on an emptyDir that both containers mount.
     */
    private static void checkInitContainers(Path dir, String where, Map<String, Object> podSpec,
            Map<String, Object> app, Map<String, Object> appEnv, Effective appConfig, List<String> persistent)
            throws IOException {
        List<Map<String, Object>> inits = podSpec.get("initContainers") == null ? List.of() : list(podSpec, "initContainers");
        int cliRuns = 0;
        for (Map<String, Object> init : inits) {
            List<String> commandLine = new ArrayList<>();
            for (String key : List.of("command", "args")) {
                if (init.get(key) != null) {
                    ((List<?>) init.get(key)).forEach(word -> commandLine.add(String.valueOf(word)));
                }
            }
            int jar = commandLine.indexOf("-jar");
            if (jar < 0 || jar + 1 >= commandLine.size() || !commandLine.get(jar + 1).endsWith("-cli.jar")) {
                continue;
            }
            cliRuns++;
            String initWhere = where + " initContainer " + init.get("name");
            String cliJar = commandLine.get(jar + 1);
            assertEquals(app.get("image"), init.get("image"), initWhere + ": the application's image, which carries " + cliJar);
            assertTrue(Files.readString(dir.resolve("Dockerfile")).contains(Path.of(cliJar).getFileName().toString()),
                    initWhere + ": the Dockerfile must copy " + cliJar + " into the image");
            List<String> cli = commandLine.subList(jar + 2, commandLine.size());
            assertFalse(cli.isEmpty(), initWhere + ": no command after the jar");
            String mode = cli.get(0);
            assertTrue(mode.equals("status") || mode.equals("check"), initWhere + ": runs '" + mode + "', not status or check");
            // Flags win over the environment: any flag but the output's would judge another configuration.
            for (int i = 1; i < cli.size(); i++) {
                String flag = cli.get(i);
                if (flag.equals("--on-failure")) {
                    i++;
                } else if (!flag.startsWith("--on-failure=") && !flag.equals("--json")) {
                    fail(initWhere + ": the flag " + flag + " overrides the application's configuration;"
                            + " give the CLI the application's SQLITE_CANARY_* variables instead");
                }
            }
            Map<String, Object> initEnv = environment(init, initWhere);
            assertEquals(canaryVariables(appEnv), canaryVariables(initEnv),
                    initWhere + ": the same SQLITE_CANARY_* configuration as the application container");
            Effective initConfig = Effective.of(dir, initEnv, initWhere);
            assertEquals(appConfig.database(), initConfig.database(), initWhere + ": the same database as the application");
            // The same database: every persistent volume of the application at the same path.
            Map<String, Object> initMounts = mountPaths(init);
            for (Map.Entry<String, Object> mount : mountPaths(app).entrySet()) {
                if (persistent.contains(mount.getKey())) {
                    assertEquals(mount.getValue(), initMounts.get(mount.getKey()), initWhere + ": the same database:"
                            + " mount " + mount.getKey() + " at " + mount.getValue() + " as the application does");
                }
            }
            if (mode.equals("check")) {
                checkSharedLockDirectory(initWhere, podSpec, app, init, appConfig, initConfig);
            }
        }
        assertTrue(cliRuns > 0, where + ": no init container runs the canary's CLI jar (status) with the application's"
                + " configuration");
    }

    /**
     * An init container's {@code check} writes the lock in its own file system unless the lock
     * directory is on a volume both containers mount; only an emptyDir is wiped with the pod (a
     * redeploy) and kept across container restarts.
     */
    private static void checkSharedLockDirectory(String where, Map<String, Object> podSpec, Map<String, Object> app,
            Map<String, Object> init, Effective appConfig, Effective initConfig) {
        Path lock = appConfig.lockDirectory();
        assertEquals(lock, initConfig.lockDirectory(), where + ": runs check: the same lock directory as the application");
        List<String> emptyDirs = new ArrayList<>();
        if (podSpec.get("volumes") != null) {
            for (Map<String, Object> volume : list(podSpec, "volumes")) {
                if (volume.containsKey("emptyDir")) {
                    emptyDirs.add((String) volume.get("name"));
                }
            }
        }
        Map<String, Object> appMounts = mountPaths(app);
        Map<String, Object> initMounts = mountPaths(init);
        boolean shared = emptyDirs.stream().anyMatch(name -> appMounts.get(name) != null
                && appMounts.get(name).equals(initMounts.get(name))
                && lock.startsWith(Path.of((String) appMounts.get(name))));
        assertTrue(shared, where + ": runs check, so the lock directory " + lock + " must be on an emptyDir mounted at"
                + " the same path in both containers: each container has its own /tmp, and a lock the application"
                + " never sees lets its first boot find a marker and no lock (a false VERIFIED)");
        for (String name : emptyDirs) {
            if (lock.equals(Path.of(String.valueOf(appMounts.get(name))))) {
                fail(where + ": the lock directory " + lock + " is the emptyDir's root, which Kubernetes makes writable by"
                        + " every user (0777): the canary refuses it (LOCK_UNUSABLE)");
            }
        }
    }

    private static Map<String, Object> canaryVariables(Map<String, Object> env) {
        Map<String, Object> canary = new java.util.TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith("SQLITE_CANARY_")) {
                canary.put(name, value);
            }
        });
        return canary;
    }

    /** volume name → mount path. */
    private static Map<String, Object> mountPaths(Map<String, Object> container) {
        Map<String, Object> mounts = new java.util.LinkedHashMap<>();
        if (container.get("volumeMounts") != null) {
            for (Map<String, Object> mount : list(container, "volumeMounts")) {
                assertFalse(mount.containsKey("subPath"), "a subPath mount is not read by this test");
                mounts.put((String) mount.get("name"), mount.get("mountPath"));
            }
        }
        return mounts;
    }

    private static int containerPort(Map<String, Object> container, Object port, String where) {
        if (port instanceof Integer number) {
            return number;
        }
        for (Map<String, Object> declared : list(container, "ports")) {
            if (Objects.equals(port, declared.get("name"))) {
                return (Integer) declared.get("containerPort");
            }
        }
        throw new AssertionError(where + ": no container port named " + port);
    }

    /** name → value (a String) or valueFrom (a Map). */
    private static Map<String, Object> environment(Map<String, Object> container, String where) {
        Map<String, Object> env = new java.util.LinkedHashMap<>();
        if (container.get("envFrom") != null) {
            fail(where + ": envFrom is not read by this test; name the canary's variables in env");
        }
        if (container.get("env") != null) {
            for (Map<String, Object> variable : list(container, "env")) {
                Object value = variable.containsKey("valueFrom") ? variable.get("valueFrom") : String.valueOf(variable.get("value"));
                env.put((String) variable.get("name"), value);
            }
        }
        return env;
    }

    // ---------------------------------------------------------------- Fly.io

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void flyToml(String example) throws IOException {
        Path dir = EXAMPLES.resolve(example);
        checkFly(dir, example + "/fly.toml", Files.readString(dir.resolve("fly.toml")));
    }

    static void checkFly(Path dir, String where, String toml) throws IOException {
        Map<String, Object> fly = MiniToml.parse(toml);

        Map<String, Object> build = map(fly, "build");
        assertTrue(Files.isRegularFile(dir.resolve((String) build.get("dockerfile"))), where + ": [build] dockerfile");

        Map<String, Object> service = map(fly, "http_service");
        int serverPort = serverPort(dir);
        assertEquals((long) serverPort, service.get("internal_port"), where + ": internal_port must be the server's HTTP port");
        List<Map<String, Object>> checks = list(service, "checks");
        assertTrue(checks.stream().anyMatch(c -> READINESS_PATH.equals(c.get("path"))),
                where + ": an [[http_service.checks]] on " + READINESS_PATH);
        for (Map<String, Object> check : checks) {
            if (check.containsKey("port")) {
                assertEquals((long) serverPort, check.get("port"), where + ": the check's port");
            }
        }

        Map<String, Object> env = fly.get("env") == null ? Map.of() : map(fly, "env");
        Effective config = Effective.of(dir, env, where);
        Object mounts = fly.get("mounts");
        assertNotNull(mounts, where + ": no [mounts]: Fly's root file system is new on every deploy");
        List<Path> destinations = new ArrayList<>();
        for (Object mount : mounts instanceof List<?> l ? l : List.of(mounts)) {
            destinations.add(Path.of((String) ((Map<?, ?>) mount).get("destination")));
        }
        assertTrue(destinations.stream().anyMatch(config.databaseDirectory()::startsWith),
                where + ": the database " + config.database + " must be under a [mounts] destination; destinations: "
                        + destinations);
        for (Path destination : destinations) {
            assertFalse(config.lockDirectory().startsWith(destination),
                    where + ": the lock directory " + config.lockDirectory() + " is on the volume at " + destination);
        }
        assertFalse(env.containsKey("SQLITE_CANARY_DEPLOY_ID"), where + ": SQLITE_CANARY_DEPLOY_ID in [env] is a constant,"
                + " the same for every deploy: the database could never be VERIFIED");
        assertNull(config.deployIdFromWar(),
                where + ": sqlite.canary.deploy-id in the WAR is a constant: it never changes between deploys");
    }

    // ---------------------------------------------------------------- Dockerfile

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void dockerfile(String example) throws IOException {
        Path dir = EXAMPLES.resolve(example);
        String dockerfile = Files.readString(dir.resolve("Dockerfile"));
        Effective config = Effective.of(dir, Map.of(), example + "/Dockerfile");
        Matcher volume = Pattern.compile("(?m)^VOLUME\\s+\\[\\s*\"([^\"]+)\"\\s*]").matcher(dockerfile);
        assertTrue(volume.find(), example + "/Dockerfile: no VOLUME [\"…\"]");
        assertEquals(config.databaseDirectory(), Path.of(volume.group(1)),
                example + "/Dockerfile: VOLUME must be the directory of the WAR's default database " + config.database);
        assertFalse(config.lockDirectory().startsWith(Path.of(volume.group(1))), example + "/Dockerfile: lock on the volume");
        assertFalse(Pattern.compile("(?m)^VOLUME.*\"/tmp").matcher(dockerfile).find(),
                example + "/Dockerfile: a volume at /tmp keeps the canary's lock across deploys");
        // What users build by default is the official image; CI's stand-ins come only as a build argument.
        Matcher base = Pattern.compile("(?m)^ARG BASE_IMAGE=(\\S+)\\s*$").matcher(dockerfile);
        assertTrue(base.find(), example + "/Dockerfile: ARG BASE_IMAGE=<the official image>");
        assertTrue(Pattern.compile("(?m)^FROM \\$\\{BASE_IMAGE}\\s*$").matcher(dockerfile).find(),
                example + "/Dockerfile: FROM ${BASE_IMAGE}");
        String official = example.equals("payara") ? "payara/micro:" : "icr.io/appcafe/open-liberty:";
        assertTrue(base.group(1).startsWith(official), example + "/Dockerfile: the default base is the official image "
                + official + "…, not " + base.group(1));
    }

    // ---------------------------------------------------------------- what the application runs with

    /** The server's HTTP port inside the container, from the example's own server configuration. */
    static int serverPort(Path dir) throws IOException {
        Path serverXml = dir.resolve("src/main/liberty/config/server.xml");
        if (Files.isRegularFile(serverXml)) {
            String xml = Files.readString(serverXml);
            assertTrue(xml.contains("httpPort=\"${http.port}\""), serverXml + ": httpEndpoint uses ${http.port}");
            Matcher port = Pattern.compile("<variable\\s+name=\"http\\.port\"\\s+defaultValue=\"(\\d+)\"").matcher(xml);
            assertTrue(port.find(), serverXml + ": <variable name=\"http.port\" defaultValue=…>");
            return Integer.parseInt(port.group(1));
        }
        String pom = Files.readString(dir.resolve("pom.xml"));
        if (pom.contains("<artifactId>payara-micro</artifactId>")) {
            assertFalse(Files.readString(dir.resolve("Dockerfile")).contains("--port"), dir + "/Dockerfile sets --port");
            return 8080; // Payara Micro's default HTTP port
        }
        throw new AssertionError(dir + ": unknown server; teach serverPort() its HTTP port");
    }

    /** The canary's configuration as MicroProfile Config resolves it: environment over the WAR's file. */
    record Effective(String database, String lockDir, String tmpdir, String deployIdFromWar) {

        static Effective of(Path dir, Map<String, Object> env, String where) throws IOException {
            Properties war = new Properties();
            try (Reader in = Files.newBufferedReader(dir.resolve("src/main/resources/META-INF/microprofile-config.properties"),
                    StandardCharsets.UTF_8)) {
                war.load(in);
            }
            for (String key : List.of("SQLITE_CANARY_DATASOURCE", "SQLITE_CANARY_ENABLED")) {
                assertFalse(env.containsKey(key), where + ": " + key + " is not read by this test");
            }
            assertFalse(war.containsKey("sqlite.canary.datasource"), where + ": sqlite.canary.datasource is not read by this test");
            String database = value(env, war, "SQLITE_CANARY_DATABASE", "sqlite.canary.database", null, where);
            assertNotNull(database, where + ": no database configured (SQLITE_CANARY_DATABASE or sqlite.canary.database)");
            String lockDir = value(env, war, "SQLITE_CANARY_LOCK_DIR", "sqlite.canary.lock-dir", DEFAULT_LOCK_DIR, where);
            String tmpdir = DEFAULT_TMPDIR;
            for (Object value : env.values()) {
                Matcher m = Pattern.compile("-Djava\\.io\\.tmpdir=(\\S+)").matcher(String.valueOf(value));
                if (m.find()) {
                    tmpdir = m.group(1);
                }
            }
            return new Effective(database, lockDir, tmpdir, war.getProperty("sqlite.canary.deploy-id"));
        }

        private static String value(Map<String, Object> env, Properties war, String variable, String key, String dflt,
                String where) {
            Object fromEnv = env.get(variable);
            if (fromEnv != null) {
                assertTrue(fromEnv instanceof String, where + ": " + variable + " from valueFrom is not read by this test");
                return (String) fromEnv;
            }
            return war.getProperty(key, dflt);
        }

        Path databaseDirectory() {
            String path = database;
            if (path.startsWith("jdbc:sqlite:")) {
                path = path.substring("jdbc:sqlite:".length());
                int query = path.indexOf('?');
                path = query < 0 ? path : path.substring(0, query);
                path = path.startsWith("file:") ? path.substring("file:".length()) : path;
            }
            assertFalse(path.contains(",") || path.contains("${"), "one literal database path expected: " + database);
            Path file = Path.of(path);
            assertTrue(file.isAbsolute(), "the database path must be absolute in a container: " + database);
            return file.normalize().getParent();
        }

        Path lockDirectory() {
            String dir = lockDir.replace("${java.io.tmpdir}", tmpdir);
            assertFalse(dir.contains("${"), "a lock directory this test can resolve: " + lockDir);
            return Path.of(dir).normalize();
        }
    }

    // ---------------------------------------------------------------- the checks catch what they claim to

    /** One wrong edit of a real manifest, and the words the failure must contain. */
    record Mistake(String example, String file, String from, String to, String complaint) {
        @Override
        public String toString() {
            return example + "/" + file + ": '" + from.strip() + "' -> '" + to.strip() + "'";
        }
    }

    static Stream<Mistake> mistakes() {
        return Stream.of(
                new Mistake("payara", "k8s/notes.yaml", "path: /health/ready", "path: /health/live", "readinessProbe path"),
                new Mistake("payara", "k8s/notes.yaml", "containerPort: 8080", "containerPort: 8181", "readinessProbe port"),
                new Mistake("openliberty", "k8s/notes.yaml", "port: http\n", "port: 8080\n", "readinessProbe port"),
                new Mistake("payara", "k8s/notes.yaml", "mountPath: /data", "mountPath: /srv", "PersistentVolumeClaim mounted at /data"),
                new Mistake("openliberty", "k8s/notes.yaml", "value: /data/notes.db", "value: /var/lib/notes/notes.db",
                        "PersistentVolumeClaim mounted at /var/lib/notes"),
                new Mistake("payara", "k8s/notes.yaml", "          env:\n",
                        "          env:\n            - name: SQLITE_CANARY_LOCK_DIR\n              value: /data/locks\n",
                        "lock directory /data/locks is on the persistent volume"),
                new Mistake("openliberty", "k8s/notes.yaml", "          env:\n",
                        "          env:\n            - name: JVM_ARGS\n              value: -Djava.io.tmpdir=/data/tmp\n",
                        "lock directory /data/tmp/sqlite-persistence-canary is on the persistent volume"),
                new Mistake("payara", "k8s/notes.yaml", "fieldPath: metadata.uid", "fieldPath: metadata.name", "pod's UID"),
                new Mistake("openliberty", "k8s/notes.yaml", "valueFrom:\n                fieldRef:\n                  fieldPath: metadata.uid",
                        "value: v1", "is a constant"),
                new Mistake("payara", "k8s/notes.yaml", "command: [\"java\", \"-jar\", \"/opt/canary/sqlite-persistence-canary-cli.jar\"]",
                        "command: [\"sh\", \"-c\", \"true\"]", "no init container runs the canary's CLI jar"),
                new Mistake("payara", "k8s/notes.yaml", INIT_ARGS, "args: [\"check\", \"--on-failure\", \"log\"]",
                        "must be on an emptyDir mounted at the same path in both containers"),
                new Mistake("openliberty", "k8s/notes.yaml", INIT_ARGS, "args: [\"status\", \"--database\", \"/data/other.db\"]",
                        "the flag --database overrides the application's configuration"),
                new Mistake("payara", "k8s/notes.yaml", INIT_ARGS + "\n          env:\n",
                        INIT_ARGS + "\n          env:\n            - name: SQLITE_CANARY_TABLE\n              value: canary\n",
                        "the same SQLITE_CANARY_* configuration as the application"),
                new Mistake("openliberty", "k8s/notes.yaml", INIT_ARGS + "\n          env:\n            - name: SQLITE_CANARY_DATABASE\n"
                        + "              value: /data/notes.db\n", INIT_ARGS + "\n          env:\n            - name: SQLITE_CANARY_DATABASE\n"
                        + "              value: /data/other.db\n", "the same SQLITE_CANARY_* configuration as the application"),
                new Mistake("payara", "k8s/notes.yaml", "              mountPath: /data     # read-write",
                        "              mountPath: /srv     # read-write", "mount data at /data as the application does"),
                new Mistake("openliberty", "k8s/notes.yaml", "          command: [\"java\", \"-jar\"",
                        "          image: eclipse-temurin:17-jre\n          command: [\"java\", \"-jar\"", "the application's image"),
                new Mistake("payara", "fly.toml", "path = \"/health/ready\"", "path = \"/health\"", "checks]] on /health/ready"),
                new Mistake("openliberty", "fly.toml", "internal_port = 9080", "internal_port = 8080", "internal_port"),
                new Mistake("payara", "fly.toml", "destination = \"/data\"", "destination = \"/mnt/data\"",
                        "under a [mounts] destination"),
                new Mistake("openliberty", "fly.toml", "[env]\n", "[env]\n  SQLITE_CANARY_LOCK_DIR = \"/data/lock\"\n",
                        "lock directory /data/lock is on the volume"),
                new Mistake("payara", "fly.toml", "[env]\n", "[env]\n  SQLITE_CANARY_DEPLOY_ID = \"v1\"\n", "is a constant"),
                new Mistake("payara", "fly.toml", "[http_service]", "[http_service]\n  x = { a = 1 }", "inline tables"));
    }

    /** The init container's command line in both examples' manifests. */
    static final String INIT_ARGS = "args: [\"status\", \"--on-failure\", \"log\"]";

    /**
     * The manifest an operator who wants {@code check} before the application writes: the lock
     * directory on an emptyDir mounted in both containers (below its 0777 root).
     */
    static String withCheckOnASharedEmptyDir(String manifest, String lockParent, String appLockParent) {
        String withVolume = manifest.replace("      initContainers:\n",
                "      volumes:\n        - name: canary-lock\n          emptyDir: {}\n      initContainers:\n");
        String[] parts = withVolume.split("      containers:\n", 2);
        String init = parts[0].replace(INIT_ARGS, "args: [\"check\", \"--on-failure\", \"log\"]")
                .replace("          env:\n", "          env:\n            - name: SQLITE_CANARY_LOCK_DIR\n"
                        + "              value: " + lockParent + "/locks\n")
                .replace("          volumeMounts:\n", "          volumeMounts:\n            - name: canary-lock\n"
                        + "              mountPath: " + lockParent + "\n");
        String app = parts[1].replace("          env:\n", "          env:\n            - name: SQLITE_CANARY_LOCK_DIR\n"
                        + "              value: " + lockParent + "/locks\n")
                .replace("          volumeMounts:\n", "          volumeMounts:\n            - name: canary-lock\n"
                        + "              mountPath: " + appLockParent + "\n");
        return init + "      containers:\n" + app;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void anInitContainerMayRunCheckWhenBothContainersShareTheLockOnAnEmptyDir(String example) throws IOException {
        Path dir = EXAMPLES.resolve(example);
        String manifest = Files.readString(dir.resolve("k8s/notes.yaml"));
        String shared = withCheckOnASharedEmptyDir(manifest, "/canary", "/canary");
        assertTrue(shared.contains("\"check\"") && shared.contains("emptyDir"), "the variant was built");
        assertEquals(1, checkKubernetes(dir, example + " with check on a shared emptyDir", shared));

        // The same emptyDir mounted elsewhere in the application: two lock directories again.
        String apart = withCheckOnASharedEmptyDir(manifest, "/canary", "/elsewhere");
        AssertionError notShared = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> checkKubernetes(dir, example + " with the emptyDir at another path", apart));
        assertTrue(notShared.getMessage().contains("must be on an emptyDir mounted at the same path in both containers"),
                notShared.getMessage());

        // The lock directory at the emptyDir's root, writable by every user.
        String atRoot = withCheckOnASharedEmptyDir(manifest, "/canary", "/canary").replace("value: /canary/locks", "value: /canary")
                .replace("mountPath: /canary\n", "mountPath: /canary\n");
        AssertionError root = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> checkKubernetes(dir, example + " with the lock at the emptyDir's root", atRoot));
        assertTrue(root.getMessage().contains("the emptyDir's root"), root.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void aMistakeInADeployArtefactFailsTheTest(Mistake mistake) throws IOException {
        Path dir = EXAMPLES.resolve(mistake.example());
        String original = Files.readString(dir.resolve(mistake.file()));
        assertTrue(original.contains(mistake.from()), mistake + ": the original no longer contains the text to change");
        String broken = original.replace(mistake.from(), mistake.to());
        Throwable failure = org.junit.jupiter.api.Assertions.assertThrows(Throwable.class, () -> {
            if (mistake.file().endsWith(".toml")) {
                checkFly(dir, mistake.toString(), broken);
            } else {
                checkKubernetes(dir, mistake.toString(), broken);
            }
        }, mistake + " was not noticed");
        assertTrue(failure.getMessage().contains(mistake.complaint()),
                mistake + ": expected a failure saying '" + mistake.complaint() + "', got: " + failure.getMessage());
    }

    // ---------------------------------------------------------------- YAML

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> yamlDocuments(String yaml) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            if (doc != null) {
                documents.add((Map<String, Object>) doc);
            }
        }
        return documents;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        if (!(value instanceof Map)) {
            throw new AssertionError("expected a mapping at '" + key + "', found " + value + " in " + parent.keySet());
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        if (!(value instanceof List)) {
            throw new AssertionError("expected a list at '" + key + "', found " + value + " in " + parent.keySet());
        }
        return (List<Map<String, Object>>) value;
    }
}
