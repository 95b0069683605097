package org.qat4j.framework.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parses repeated {@code --set key=value} options. */
final class KeyValues {

    private KeyValues() {
    }

    static Map<String, String> parse(String[] pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        if (pairs == null) {
            return out;
        }
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new UsageException("--set expects key=value (got '" + pair + "')");
            }
            String key = pair.substring(0, eq).trim();
            if (out.put(key, pair.substring(eq + 1).trim()) != null) {
                throw new UsageException("--set " + key + " is given twice");
            }
        }
        return out;
    }
}
