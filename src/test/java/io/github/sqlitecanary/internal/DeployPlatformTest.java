package io.github.sqlitecanary.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sqlitecanary.internal.DeployPlatform.Identity;
import io.github.sqlitecanary.internal.DeployPlatform.Kind;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each platform told from its documented signals, given as fixtures: environment variables as a
 * map, files as a set, mount tables captured in containers and pods ({@code src/test/resources/mountinfo}).
 */
class DeployPlatformTest {

    private static final String DOCKER_ID = "c33988ec7651ebc867cb24755eaf637a6734088bc7eef59d5799293a9e5450f7";
    private static final String PODMAN_ID = "d62f25c528819e9cd11ff306f9b8fc0b857c302634eec68552521fe79709ab0b";
    private static final String POD_UID = "350bff31-89d4-429e-b653-86d8167bc60e";

    static Optional<DeployPlatform> detect(Map<String, String> environment, Set<Path> files, String mountSample) {
        return DeployPlatform.detect(environment::get, files::contains,
                Optional.ofNullable(mountSample).map(name -> MountInfo.parse(MountInfoTest.sample(name))));
    }

    static Stream<Arguments> platforms() {
        return Stream.of(
                // Fly.io: runtime environment (fly.io/docs/machines/runtime-environment)
                platform("Fly.io", Map.of("FLY_APP_NAME", "notes", "FLY_MACHINE_ID", "148ed193b95589",
                        "FLY_IMAGE_REF", "notes:deployment-01HZ"), Set.of(), null,
                        Kind.FLY_IO, "FLY_APP_NAME", new Identity("notes:deployment-01HZ", "FLY_IMAGE_REF")),
                // Railway: Railway-provided variables (docs.railway.com/reference/variables)
                platform("Railway", Map.of("RAILWAY_SERVICE_ID", "svc", "RAILWAY_DEPLOYMENT_ID", "dep-7",
                        "RAILWAY_VOLUME_MOUNT_PATH", "/data"), Set.of(), null,
                        Kind.RAILWAY, "RAILWAY_DEPLOYMENT_ID", new Identity("dep-7", "RAILWAY_DEPLOYMENT_ID")),
                // Render: default environment variables (render.com/docs/environment-variables)
                platform("Render", Map.of("RENDER", "true", "RENDER_SERVICE_ID", "srv-123"), Set.of(), null,
                        Kind.RENDER, "RENDER_SERVICE_ID", null),
                platform("Render by RENDER=true alone", Map.of("RENDER", "true"), Set.of(), null,
                        Kind.RENDER, "RENDER", null),
                // Heroku: $DYNO (devcenter.heroku.com/articles/dynos)
                platform("Heroku", Map.of("DYNO", "web.1"), Set.of(), null, Kind.HEROKU, "DYNO", null),
                // Cloud Run: container runtime contract (cloud.google.com/run/docs/container-contract)
                platform("Cloud Run", Map.of("K_SERVICE", "notes", "K_REVISION", "notes-00002-xyz",
                        "K_CONFIGURATION", "notes"), Set.of(), null,
                        Kind.CLOUD_RUN, "K_SERVICE", new Identity("notes-00002-xyz", "K_REVISION")),
                // Azure App Service: WEBSITE_SITE_NAME (Kudu: Azure runtime environment)
                platform("Azure App Service", Map.of("WEBSITE_SITE_NAME", "notes"), Set.of(), null,
                        Kind.AZURE_APP_SERVICE, "WEBSITE_SITE_NAME", null),
                // ECS: task metadata endpoint v4 (docs.aws.amazon.com/AmazonECS/.../task-metadata-endpoint-v4-fargate)
                platform("ECS / Fargate", Map.of("ECS_CONTAINER_METADATA_URI_V4",
                        "http://169.254.170.2/v4/6d2f1d6e-ab12-4d9c-9f3b-0123456789ab-1234567890"), Set.of(), null,
                        Kind.ECS, "ECS_CONTAINER_METADATA_URI_V4", new Identity(
                                "http://169.254.170.2/v4/6d2f1d6e-ab12-4d9c-9f3b-0123456789ab-1234567890",
                                "ECS_CONTAINER_METADATA_URI_V4")),
                // Kubernetes: KUBERNETES_SERVICE_HOST in every container; the pod UID from the kubelet's mounts
                platform("Kubernetes (Docker runtime)", Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
                        Set.of(Path.of("/.dockerenv")), "k8s-minikube-docker-excerpt", Kind.KUBERNETES,
                        "KUBERNETES_SERVICE_HOST", new Identity(POD_UID, "the pod UID in /proc/self/mountinfo")),
                platform("Kubernetes (containerd) by its mounts alone", Map.of(), Set.of(),
                        "k8s-gke-containerd-gcfs", Kind.KUBERNETES, "a pod's mounts in /proc/self/mountinfo",
                        new Identity("6bcf846c-5fe3-45cb-995f-5d34aa16e4c3", "the pod UID in /proc/self/mountinfo")),
                platform("Kubernetes (CRI-O)", Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"), Set.of(),
                        "k8s-crio-btrfs-configmap-neuvector", Kind.KUBERNETES, "KUBERNETES_SERVICE_HOST",
                        new Identity("042efd86-1f3b-4f2f-8736-f31c58e95bbc", "the pod UID in /proc/self/mountinfo")),
                // Podman: /run/.containerenv (podman-run(1)); the container id from its userdata mounts
                platform("Podman", Map.of(), Set.of(Path.of("/run/.containerenv")), "podman-rootful-named-volume",
                        Kind.PODMAN, "/run/.containerenv", new Identity(PODMAN_ID, "the container id in /proc/self/mountinfo")),
                platform("Podman rootless, by its mounts alone", Map.of(), Set.of(), "podman-rootless-cgroupv2-precommit",
                        Kind.PODMAN, "/run/.containerenv in /proc/self/mountinfo",
                        new Identity(DOCKER_ID, "the container id in /proc/self/mountinfo")),
                // Docker: /.dockerenv; the container id from /var/lib/docker/containers/<id>/hostname
                platform("Docker", Map.of(), Set.of(Path.of("/.dockerenv")), "docker-linux-cgroupv2-precommit",
                        Kind.DOCKER, "/.dockerenv", new Identity(DOCKER_ID, "the container id in /proc/self/mountinfo")),
                platform("Docker Desktop, by its mounts alone", Map.of(), Set.of(), "docker-desktop-precommit",
                        Kind.DOCKER, "a Docker container's /etc/hostname in /proc/self/mountinfo",
                        new Identity(DOCKER_ID, "the container id in /proc/self/mountinfo")),
                platform("Docker without a readable mount table", Map.of(), Set.of(Path.of("/.dockerenv")), null,
                        Kind.DOCKER, "/.dockerenv", null));
    }

    private static Arguments platform(String name, Map<String, String> environment, Set<Path> files,
            String mountSample, Kind kind, String recognisedBy, Identity identity) {
        return Arguments.of(name, environment, files, mountSample, kind, recognisedBy, identity);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("platforms")
    void platformIsRecognisedFromItsDocumentedSignalsWithItsDeployIdentity(String name, Map<String, String> environment,
            Set<Path> files, String mountSample, Kind kind, String recognisedBy, Identity identity) {
        DeployPlatform platform = detect(environment, files, mountSample).orElseThrow();

        assertEquals(kind, platform.kind());
        assertEquals(recognisedBy, platform.recognisedBy());
        assertEquals(Optional.ofNullable(identity), platform.deployIdentity());
    }

    @Test
    void aMachineWithoutSignalsHasNoPlatform() {
        assertEquals(Optional.empty(), detect(Map.of(), Set.of(), "wsl2-distro-9p-drvfs-lkml2020"));
        assertEquals(Optional.empty(), detect(Map.of(), Set.of(), "host-empty-source-tmpfs-mobysys"));
        assertEquals(Optional.empty(), detect(Map.of(), Set.of(), null));
    }

    @Test
    void emptyVariablesAreNoSignal() {
        assertEquals(Optional.empty(), detect(Map.of("FLY_APP_NAME", " ", "DYNO", "", "RENDER", "false"), Set.of(),
                null));
    }

    @Test
    void railwayDeclaresItsVolumeMountPathOrItsAbsence() {
        DeployPlatform withVolume = detect(Map.of("RAILWAY_DEPLOYMENT_ID", "d", "RAILWAY_VOLUME_MOUNT_PATH", "/data/"),
                Set.of(), null).orElseThrow();
        DeployPlatform without = detect(Map.of("RAILWAY_DEPLOYMENT_ID", "d"), Set.of(), null).orElseThrow();

        assertEquals(Optional.of(Path.of("/data")), withVolume.volumeMountPath());
        assertFalse(withVolume.declaresNoVolume());
        assertEquals(Optional.empty(), without.volumeMountPath());
        assertTrue(without.declaresNoVolume());
    }

    @Test
    void azureAppServiceStorageDeclaresHome() {
        DeployPlatform storage = detect(Map.of("WEBSITE_SITE_NAME", "notes", "WEBSITES_ENABLE_APP_SERVICE_STORAGE",
                "true"), Set.of(), null).orElseThrow();
        DeployPlatform none = detect(Map.of("WEBSITE_SITE_NAME", "notes", "WEBSITES_ENABLE_APP_SERVICE_STORAGE",
                "false"), Set.of(), null).orElseThrow();

        assertEquals(Optional.of(Path.of("/home")), storage.volumeMountPath());
        assertEquals(Optional.empty(), none.volumeMountPath());
    }

    @Test
    void herokuKeepsNothingAnywhere() {
        DeployPlatform heroku = detect(Map.of("DYNO", "web.1"), Set.of(), null).orElseThrow();

        assertTrue(heroku.keepsNothingIn(Path.of("/app/data")));
        assertTrue(heroku.keepsNothingIn(Path.of("/tmp")));
    }

    @Test
    void cloudRunKeepsNothingOffItsNetworkVolumeMounts() {
        String mounts = MountInfoTest.sample("podman-rootful-overlay-root")
                + "900 73 0:99 / /mnt/nfs rw,relatime - nfs4 10.0.0.2:/share rw,vers=4.1\n"
                + "901 73 0:98 / /mnt/bucket rw,relatime - fuse.gcsfuse notes-bucket rw,user_id=0\n"
                + "902 73 0:97 / /mnt/memory rw,relatime - tmpfs tmpfs rw\n";
        DeployPlatform cloudRun = DeployPlatform.detect(Map.of("K_SERVICE", "notes")::get, path -> false,
                Optional.of(MountInfo.parse(mounts))).orElseThrow();
        DeployPlatform blind = detect(Map.of("K_SERVICE", "notes"), Set.of(), null).orElseThrow();

        assertTrue(cloudRun.keepsNothingIn(Path.of("/data")), "the container's own file system");
        assertTrue(cloudRun.keepsNothingIn(Path.of("/mnt/memory")), "an in-memory volume");
        assertFalse(cloudRun.keepsNothingIn(Path.of("/mnt/nfs/db")), "an NFS volume");
        assertFalse(cloudRun.keepsNothingIn(Path.of("/mnt/bucket")), "a Cloud Storage volume");
        assertTrue(blind.keepsNothingIn(Path.of("/mnt/nfs")), "no mount table: no volume seen");
    }

    @Test
    void containerPlatformsKeepWhatTheirVolumesKeep() {
        for (String sample : new String[] {"docker-linux-cgroupv2-precommit", "k8s-minikube-docker-excerpt"}) {
            DeployPlatform platform = detect(Map.of(), Set.of(Path.of("/.dockerenv")), sample).orElseThrow();
            assertFalse(platform.keepsNothingIn(Path.of("/data")), sample);
        }
    }

    @Test
    void theMostSpecificSignalWins() {
        // A Fly.io Machine with a Docker-built image, a Cloud Run container with KUBERNETES_* variables (Knative).
        assertEquals(Kind.FLY_IO, detect(Map.of("FLY_APP_NAME", "a", "KUBERNETES_SERVICE_HOST", "x"),
                Set.of(Path.of("/.dockerenv")), null).orElseThrow().kind());
        assertEquals(Kind.CLOUD_RUN, detect(Map.of("K_SERVICE", "a", "KUBERNETES_SERVICE_HOST", "x"), Set.of(),
                null).orElseThrow().kind());
        assertEquals(Kind.KUBERNETES, detect(Map.of(), Set.of(Path.of("/.dockerenv")), "k8s-minikube-docker-excerpt")
                .orElseThrow().kind());
    }
}
