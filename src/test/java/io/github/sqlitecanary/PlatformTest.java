package io.github.sqlitecanary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sqlitecanary.internal.DeployPlatform;
import io.github.sqlitecanary.internal.FileSystemProbe;
import io.github.sqlitecanary.internal.LocalSystem;
import io.github.sqlitecanary.internal.MountInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC "The platform": on each recognised platform (its environment variables and mount table
 * given as fixtures) every DOWN message ends with the platform's fix, and the platform's deploy
 * identity is the default deploy identifier; real SQLite, real lock directories.
 */
class PlatformTest {

    private static final String DOCKER_ID = "c33988ec7651ebc867cb24755eaf637a6734088bc7eef59d5799293a9e5450f7";
    private static final String NEW_CONTAINER_ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static final String PODMAN_ID = "d62f25c528819e9cd11ff306f9b8fc0b857c302634eec68552521fe79709ab0b";
    private static final String POD_UID = "350bff31-89d4-429e-b653-86d8167bc60e";
    private static final String NEW_POD_UID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

    @TempDir
    Path volume;

    @TempDir
    Path tmp;

    Path directory;

    @BeforeEach
    void realDirectory() throws IOException {
        directory = volume.toRealPath();
    }

    /** One deploy as the platform shows it: its environment variables and its mount table. */
    record Deploy(Map<String, String> environment, String mountTable) {

        Optional<DeployPlatform> platform() {
            return DeployPlatform.detect(environment::get, path -> false,
                    Optional.ofNullable(mountTable).map(MountInfo::parse));
        }
    }

    static String sample(String name) {
        try (InputStream in = PlatformTest.class.getResourceAsStream("/mountinfo/" + name + ".mountinfo")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    CanaryOptions.Builder options() {
        return CanaryOptions.builder().database(directory.resolve("app.db").toString()).lockDirectory(tmp.resolve("canary"));
    }

    static CanaryReport check(CanaryOptions options, Deploy deploy) {
        return canary(options, deploy).check().get(0);
    }

    static PersistenceCanary canary(CanaryOptions options, Deploy deploy) {
        return new PersistenceCanary(options, FileSystemProbe.ofThisMachine(), name -> {
            throw new IllegalArgumentException("no JNDI here");
        }, Path.of("").toAbsolutePath(), LocalSystem.ofThisMachine(), deploy.platform());
    }

    void wipeLockDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(tmp.resolve("canary"))) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());
        }
    }

    /** A Cloud Run deploy whose volume (an NFS share) is mounted at the database's directory. */
    Deploy cloudRunWithVolume(String revision) {
        return new Deploy(Map.of("K_SERVICE", "notes", "K_REVISION", revision),
                "1 0 0:99 / " + directory + " rw,relatime - nfs4 10.0.0.2:/share rw,vers=4.1\n");
    }

    // --- The fix in the platform's own terms --------------------------------------------------

    static Stream<Arguments> fixes() {
        return Stream.of(
                Arguments.of("Fly.io", new Deploy(Map.of("FLY_APP_NAME", "notes"), null), CanaryState.FIRST_BOOT,
                        List.of("On Fly.io (FLY_APP_NAME):", "[mounts] section", "destination = \"%s\"")),
                Arguments.of("Kubernetes", new Deploy(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
                        sample("k8s-minikube-docker-excerpt")), CanaryState.FIRST_BOOT,
                        List.of("On Kubernetes (KUBERNETES_SERVICE_HOST): mount a PersistentVolumeClaim at %s",
                                "volumeClaimTemplates")),
                Arguments.of("Docker", new Deploy(Map.of(), sample("docker-linux-cgroupv2-precommit")),
                        CanaryState.FIRST_BOOT, List.of("docker run -v app-data:%s")),
                Arguments.of("Podman", new Deploy(Map.of(), sample("podman-rootful-named-volume")),
                        CanaryState.FIRST_BOOT, List.of("podman run -v app-data:%s")),
                Arguments.of("Railway, no volume", new Deploy(Map.of("RAILWAY_DEPLOYMENT_ID", "d1"), null),
                        CanaryState.FIRST_BOOT, List.of("no volume (RAILWAY_VOLUME_MOUNT_PATH is not set)",
                                "Attach a volume to the service with mount path %s")),
                Arguments.of("Render", new Deploy(Map.of("RENDER", "true", "RENDER_SERVICE_ID", "srv-1"), null),
                        CanaryState.FIRST_BOOT, List.of("On Render (RENDER_SERVICE_ID):", "disk to the service with "
                                + "mount path %s")),
                Arguments.of("Heroku", new Deploy(Map.of("DYNO", "web.1"), null), CanaryState.EPHEMERAL_FILESYSTEM,
                        List.of("Heroku dyno's file system is ephemeral", "On Heroku (DYNO):", "Heroku Postgres")),
                Arguments.of("Cloud Run", new Deploy(Map.of("K_SERVICE", "notes"), null),
                        CanaryState.EPHEMERAL_FILESYSTEM, List.of("is not on a Cloud Run volume mount",
                                "On Google Cloud Run (K_SERVICE): add a volume mount at %s", "mount-path=%s")),
                Arguments.of("Azure App Service", new Deploy(Map.of("WEBSITE_SITE_NAME", "notes"), null),
                        CanaryState.FIRST_BOOT, List.of("On Azure App Service (WEBSITE_SITE_NAME):",
                                "WEBSITES_ENABLE_APP_SERVICE_STORAGE=true", "Azure Files share at %s")),
                Arguments.of("ECS", new Deploy(Map.of("ECS_CONTAINER_METADATA_URI_V4", "http://169.254.170.2/v4/x"),
                        null), CanaryState.FIRST_BOOT, List.of("On AWS ECS / Fargate (ECS_CONTAINER_METADATA_URI_V4):",
                                "mountPoints entry with containerPath %s")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixes")
    void downMessageEndsWithThePlatformsFix(String name, Deploy deploy, CanaryState state, List<String> fix) {
        CanaryReport report = check(options().build(), deploy);

        assertEquals(state, report.state(), report::message);
        assertEquals(deploy.platform().orElseThrow().kind().title(), report.platform());
        String title = report.platform();
        assertTrue(report.message().lastIndexOf(" On " + title + " (") > 0, report::message);
        assertFalse(report.message().substring(report.message().lastIndexOf(" On " + title + " (") + 1).contains(" On "),
                () -> "the fix is not the end of: " + report.message());
        // a container without a UTF-8 locale prints anything else as '?'
        assertTrue(report.message().chars().allMatch(c -> c >= ' ' && c < 127), () -> "not ASCII: " + report.message());
        for (String fragment : fix) {
            String expected = fragment.replace("%s", directory.toString());
            assertTrue(report.message().contains(expected), () -> "expected \"" + expected + "\" in: "
                    + report.message());
        }
    }

    @Test
    void platformsThatKeepNothingWriteNothing() throws IOException {
        for (Deploy deploy : List.of(new Deploy(Map.of("DYNO", "web.1"), null),
                new Deploy(Map.of("K_SERVICE", "notes"), null))) {
            CanaryReport report = check(options().build(), deploy);

            assertEquals(CanaryState.EPHEMERAL_FILESYSTEM, report.state());
            try (Stream<Path> files = Files.list(directory)) {
                assertEquals(0, files.count(), "a file was created beside the database");
            }
            assertFalse(Files.exists(tmp.resolve("canary")), "a lock directory was created");
        }
    }

    @Test
    void filesystemCheckFalseTurnsAHerokuVerdictIntoAWarning() {
        CanaryReport report = check(options().filesystemCheck(false).build(), new Deploy(Map.of("DYNO", "web.1"), null));

        assertEquals(CanaryState.FIRST_BOOT, report.state());
        assertTrue(report.warnings().stream().anyMatch(w -> w.startsWith("EPHEMERAL_FILESYSTEM not judged")),
                report.warnings()::toString);
    }

    @Test
    void cloudRunOnAnNfsVolumeMountIsJudgedLikeAnyVolume() {
        CanaryReport report = check(options().build(), cloudRunWithVolume("notes-00001"));

        assertEquals(CanaryState.FIRST_BOOT, report.state(), report::message);
        assertTrue(report.message().contains("On Google Cloud Run"), report::message);
    }

    @Test
    void everyDownStateEndsWithTheFixAndVerifiedHasNone() throws IOException {
        Deploy kubernetes = new Deploy(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"), null);
        String fix = "On Kubernetes (KUBERNETES_SERVICE_HOST): mount a PersistentVolumeClaim";

        CanaryReport missing = check(CanaryOptions.builder().database(directory.resolve("gone/app.db").toString())
                .lockDirectory(tmp.resolve("canary")).build(), kubernetes);
        CanaryReport lost = check(options().expectVerified(true).build(), kubernetes);
        CanaryReport first = check(options().build(), kubernetes);
        CanaryReport restart = check(options().build(), kubernetes);
        wipeLockDirectory();
        CanaryReport verified = check(options().build(), kubernetes);

        assertEquals(CanaryState.VOLUME_MISSING, missing.state());
        assertEquals(CanaryState.DATABASE_LOST, lost.state());
        assertEquals(CanaryState.FIRST_BOOT, first.state());
        assertEquals(CanaryState.AWAITING_REDEPLOY, restart.state());
        for (CanaryReport down : List.of(missing, lost, first, restart)) {
            assertTrue(down.message().contains(fix), down::message);
            assertTrue(down.message().endsWith("which a new pod wipes."), down::message);
        }
        assertEquals(CanaryState.VERIFIED, verified.state());
        assertFalse(verified.message().contains("On Kubernetes"), verified::message);
        assertEquals("Kubernetes", verified.platform());
    }

    @Test
    void aMisconfiguredValueGetsNoStorageFix() {
        // A DataSource that cannot be looked up says nothing about storage: no "-v NAME:<directory>".
        CanaryReport report = check(CanaryOptions.builder().set(CanaryOptions.DATASOURCE, "java:comp/env/jdbc/notes")
                .lockDirectory(tmp.resolve("canary")).build(), new Deploy(Map.of(), sample("docker-linux-cgroupv2-precommit")));

        assertEquals(CanaryState.MISCONFIGURED, report.state());
        assertEquals("Docker", report.platform());
        assertFalse(report.message().contains("On Docker"), report::message);
        assertTrue(report.message().endsWith("until then the application stays not ready."), report::message);
    }

    @Test
    void noPlatformGivesGenericGuidance() {
        CanaryReport report = check(options().build(), new Deploy(Map.of(), null));

        assertEquals(CanaryState.FIRST_BOOT, report.state());
        assertEquals(CanaryReport.NO_PLATFORM, report.platform());
        assertEquals(CanaryReport.NONE, report.deployId());
        assertFalse(report.message().contains(" On "), report::message);
    }

    @Test
    void railwayFirstBootSaysWhetherTheDatabaseIsUnderTheVolumeMountPath() {
        CanaryReport outside = check(options().build(), new Deploy(Map.of("RAILWAY_DEPLOYMENT_ID", "d1",
                "RAILWAY_VOLUME_MOUNT_PATH", "/data"), null));
        wipeLockDirectoryQuietly();
        CanaryReport inside = check(CanaryOptions.builder().database(directory.resolve("app2.db").toString())
                .lockDirectory(tmp.resolve("canary")).build(), new Deploy(Map.of("RAILWAY_DEPLOYMENT_ID", "d1",
                        "RAILWAY_VOLUME_MOUNT_PATH", directory.getParent().toString()), null));

        assertEquals(CanaryState.FIRST_BOOT, outside.state());
        assertTrue(outside.message().contains("the service's volume is mounted at RAILWAY_VOLUME_MOUNT_PATH=/data, "
                + "but the database's directory " + directory + " is not under it"), outside::message);
        assertTrue(outside.message().contains("Move the database under /data (for example /data/app.db)"),
                outside::message);
        assertEquals(CanaryState.FIRST_BOOT, inside.state());
        assertTrue(inside.message().contains("the database's directory " + directory + " is under the service's "
                + "volume (RAILWAY_VOLUME_MOUNT_PATH=" + directory.getParent() + ")"), inside::message);
    }

    @Test
    void azureAppServiceSaysWhenTheDatabaseIsOutsideHome() {
        CanaryReport report = check(options().build(), new Deploy(Map.of("WEBSITE_SITE_NAME", "notes",
                "WEBSITES_ENABLE_APP_SERVICE_STORAGE", "true"), null));

        assertTrue(report.message().contains("App Service storage keeps /home (WEBSITES_ENABLE_APP_SERVICE_STORAGE=true), "
                + "but the database's directory " + directory + " is not under it"), report::message);
    }

    private void wipeLockDirectoryQuietly() {
        try {
            wipeLockDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- The platform's deploy identity ----------------------------------------------------------

    /** Each platform's identity: the first deploy, a later deploy, and where the identity is read. */
    static Stream<Arguments> identities() {
        return Stream.of(
                identity("Fly.io", env("FLY_APP_NAME", "notes", "FLY_IMAGE_REF", "notes:deployment-1"),
                        env("FLY_APP_NAME", "notes", "FLY_IMAGE_REF", "notes:deployment-2"),
                        "notes:deployment-1 (FLY_IMAGE_REF)"),
                identity("Railway", env("RAILWAY_DEPLOYMENT_ID", "dep-1"), env("RAILWAY_DEPLOYMENT_ID", "dep-2"),
                        "dep-1 (RAILWAY_DEPLOYMENT_ID)"),
                identity("ECS / Fargate", env("ECS_CONTAINER_METADATA_URI_V4", "http://169.254.170.2/v4/task-1"),
                        env("ECS_CONTAINER_METADATA_URI_V4", "http://169.254.170.2/v4/task-2"),
                        "http://169.254.170.2/v4/task-1 (ECS_CONTAINER_METADATA_URI_V4)"),
                Arguments.of("Kubernetes: the pod UID",
                        new Deploy(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"), sample("k8s-minikube-docker-excerpt")),
                        new Deploy(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
                                sample("k8s-minikube-docker-excerpt").replace(POD_UID, NEW_POD_UID)),
                        POD_UID + " (the pod UID in /proc/self/mountinfo)"),
                Arguments.of("Docker: the container id",
                        new Deploy(Map.of(), sample("docker-linux-cgroupv2-precommit")),
                        new Deploy(Map.of(), sample("docker-linux-cgroupv2-precommit").replace(DOCKER_ID, NEW_CONTAINER_ID)),
                        DOCKER_ID + " (the container id in /proc/self/mountinfo)"),
                Arguments.of("Podman: the container id",
                        new Deploy(Map.of(), sample("podman-rootful-named-volume")),
                        new Deploy(Map.of(), sample("podman-rootful-named-volume").replace(PODMAN_ID, NEW_CONTAINER_ID)),
                        PODMAN_ID + " (the container id in /proc/self/mountinfo)"),
                Arguments.of("Render: the container id",
                        new Deploy(Map.of("RENDER", "true"), sample("docker-linux-cgroupv2-precommit")),
                        new Deploy(Map.of("RENDER", "true"),
                                sample("docker-linux-cgroupv2-precommit").replace(DOCKER_ID, NEW_CONTAINER_ID)),
                        DOCKER_ID + " (the container id in /proc/self/mountinfo)"));
    }

    private static Map<String, String> env(String... pairs) {
        Map<String, String> environment = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            environment.put(pairs[i], pairs[i + 1]);
        }
        return environment;
    }

    private static Arguments identity(String name, Map<String, String> first, Map<String, String> later,
            String shown) {
        return Arguments.of(name, new Deploy(first, null), new Deploy(later, null), shown);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("identities")
    void aRestartThatWipedTheLockIsHeldBackUnderTheSameDeployIdentity(String name, Deploy first, Deploy later,
            String shown) throws IOException {
        check(options().build(), first);
        wipeLockDirectory();

        CanaryReport restart = check(options().build(), first);

        assertEquals(CanaryState.AWAITING_REDEPLOY, restart.state(), restart::message);
        assertTrue(restart.message().contains("a restart, not a redeploy"), restart::message);
        assertEquals(shown, restart.deployId());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("identities")
    void aNewDeployIdentityWithTheLockGoneIsVerifiedAndRecorded(String name, Deploy first, Deploy later,
            String shown) throws Exception {
        check(options().build(), first);
        wipeLockDirectory();

        CanaryReport redeploy = check(options().build(), later);

        assertEquals(CanaryState.VERIFIED, redeploy.state(), redeploy::message);
        String firstId = shown.substring(0, shown.indexOf(" ("));
        List<String> recorded = SqliteFiles.rows(directory.resolve("app.db"),
                "SELECT first_boot_deploy_id, verified_deploy_id FROM persistence_canary");
        assertEquals(1, recorded.size());
        assertTrue(recorded.get(0).startsWith(firstId + "|"), recorded::toString);
        assertFalse(recorded.get(0).endsWith("|" + firstId), recorded::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("identities")
    void deployIdNoneTurnsThePlatformsIdentityOff(String name, Deploy first, Deploy later, String shown)
            throws Exception {
        CanaryOptions none = options().deployId("none").build();
        check(none, first);
        wipeLockDirectory();

        CanaryReport restart = check(none, first);

        assertEquals(CanaryState.VERIFIED, restart.state(), restart::message);
        assertEquals(CanaryReport.NONE, restart.deployId());
        assertEquals(List.of("|"), SqliteFiles.rows(directory.resolve("app.db"),
                "SELECT ifnull(first_boot_deploy_id, ''), ifnull(verified_deploy_id, '') FROM persistence_canary"));
    }

    @Test
    void cloudRunRevisionIsItsDeployIdentity() throws IOException {
        check(options().build(), cloudRunWithVolume("notes-00001-abc"));
        wipeLockDirectory();

        CanaryReport restart = check(options().build(), cloudRunWithVolume("notes-00001-abc"));
        CanaryReport redeploy = check(options().build(), cloudRunWithVolume("notes-00002-def"));

        assertEquals(CanaryState.AWAITING_REDEPLOY, restart.state(), restart::message);
        assertEquals("notes-00001-abc (K_REVISION)", restart.deployId());
        assertEquals(CanaryState.VERIFIED, redeploy.state(), redeploy::message);
    }

    @Test
    void aConfiguredDeployIdWinsOverThePlatformsAndIsNamedAsSuch() {
        CanaryReport report = check(options().deployId("sha256:abc").build(),
                new Deploy(Map.of("FLY_APP_NAME", "notes", "FLY_IMAGE_REF", "notes:deployment-1"), null));

        assertEquals("sha256:abc (" + CanaryOptions.DEPLOY_ID + ")", report.deployId());
    }

    @Test
    void aPlatformWithoutAReadableIdentityLeavesTheVerdictToTheLock() throws IOException {
        Deploy fly = new Deploy(Map.of("FLY_APP_NAME", "notes"), null);
        check(options().build(), fly);
        wipeLockDirectory();

        CanaryReport report = check(options().build(), fly);

        assertEquals(CanaryState.VERIFIED, report.state(), report::message);
        assertEquals(CanaryReport.NONE, report.deployId());
    }

    @Test
    void statusReportsThePlatformAndTheIdentityItWouldUse() {
        Deploy railway = new Deploy(Map.of("RAILWAY_DEPLOYMENT_ID", "dep-9"), null);
        Function<CanaryOptions, CanaryReport> status = options -> canary(options, railway).status().get(0);

        CanaryReport report = status.apply(options().build());

        assertEquals("Railway", report.platform());
        assertEquals("dep-9 (RAILWAY_DEPLOYMENT_ID)", report.deployId());
        assertFalse(Files.exists(directory.resolve("app.db")));
    }
}
