package org.qat4j.framework;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The qat4j build running now, e.g. {@code 0.1.0-SNAPSHOT (f498f0d)}, or {@code (f498f0d, modified)} for a build of
 * a working tree with uncommitted changes. Checkpoints record it, because bitwise-exact resume holds within one
 * build, not across builds.
 */
public final class Version {

    private static final String CURRENT = read();

    private Version() {
    }

    public static String current() {
        return CURRENT;
    }

    private static String read() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown build";
        }
        String version = p.getProperty("git.build.version", "unknown version");
        String commit = p.getProperty("git.commit.id.abbrev", "");
        if (commit.isEmpty()) {
            return version;
        }
        return version + " (" + commit + (Boolean.parseBoolean(p.getProperty("git.dirty")) ? ", modified)" : ")");
    }
}
