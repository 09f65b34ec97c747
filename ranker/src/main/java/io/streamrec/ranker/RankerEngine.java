package io.streamrec.ranker;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * The process's one DJL PyTorch engine, started on first use with no network ({@code ai.djl.offline}: the native
 * library comes from the pytorch-native-cpu jar on the classpath, unpacked into the DJL cache once) and with its
 * thread pools bounded ({@code ai.djl.pytorch.num_threads}, {@code num_interop_threads}; default 1 each, so that a
 * ranker never competes with the operators or request threads it runs in). A system property set before the first
 * use wins over these defaults.
 */
public final class RankerEngine {
    public static final String ENGINE = "PyTorch";

    private static NDManager base;

    private RankerEngine() {}

    /** The root manager every scoring or training call opens its own sub-manager from. */
    static synchronized NDManager manager() {
        if (base == null) {
            defaultProperty("ai.djl.offline", "true");
            defaultProperty("ai.djl.pytorch.num_threads", "1");
            defaultProperty("ai.djl.pytorch.num_interop_threads", "1");
            base = NDManager.newBaseManager(Device.cpu(), ENGINE);
        }
        return base;
    }

    /** The engine, started if it was not. */
    static Engine engine() {
        manager();
        return Engine.getEngine(ENGINE);
    }

    /** Starts the engine now (it unpacks its native library on a machine's first use); returns its version. */
    public static String start() {
        return engine().getVersion();
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
