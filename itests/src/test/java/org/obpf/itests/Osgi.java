package org.obpf.itests;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.obpf.launcher.Launcher;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Test-side access to a running framework. The tests run outside it, so they reach services
 * through the classes of the bundles that export them (reflection), exactly as an external
 * client would; nothing of OBPF is loaded from the test class path.
 */
final class Osgi {
    static final Path DIST = Path.of(System.getProperty("obpf.dist", "../felix-launcher/target/obpf")).toAbsolutePath().normalize();
    static final Path EXAMPLE_BUNDLE = Path.of(System.getProperty("obpf.example.bundle", "")).toAbsolutePath().normalize();

    private Osgi() {}

    static Launcher.Running start(String... features) throws Exception {
        return Launcher.start(DIST, List.of(features), null, Map.of("gosh.args", "--nointeractive",
                "gosh.home", DIST.resolve("shell-batch").toString()));
    }

    static Bundle bundle(BundleContext ctx, String symbolicName) {
        for (Bundle b : ctx.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) return b;
        }
        return null;
    }

    /** The service registered under {@code className}, waiting up to 10 s; null if none. */
    static Object service(BundleContext ctx, String className) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        do {
            ServiceReference<?> ref = ctx.getServiceReference(className);
            if (ref != null) {
                Object s = ctx.getService(ref);
                if (s != null) return s;
            }
            Thread.sleep(10);
        } while (System.currentTimeMillis() < end);
        return null;
    }

    /** Waits up to 10 s for {@code condition}. */
    static boolean await(BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) return false;
            Thread.sleep(10);
        }
        return true;
    }

    /** Calls the public method {@code name} with {@code args.length} parameters, declared by an interface of the target. */
    static Object call(Object target, String name, Object... args) throws Throwable {
        Method m = find(target.getClass(), name, args.length);
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static Method find(Class<?> c, String name, int arity) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Class<?> i : k.getInterfaces()) {
                for (Method m : i.getMethods()) {
                    if (m.getName().equals(name) && m.getParameterCount() == arity) return m;
                }
            }
        }
        for (Method m : c.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == arity) return m;
        }
        throw new IllegalArgumentException(c + " has no public method " + name + "/" + arity);
    }

    /** Reads a public field of a DTO. */
    static Object field(Object dto, String name) throws ReflectiveOperationException {
        return dto.getClass().getField(name).get(dto);
    }

    static Object[] array(Object arrayOrCollection) {
        if (arrayOrCollection instanceof java.util.Collection<?> c) return c.toArray();
        Object[] out = new Object[Array.getLength(arrayOrCollection)];
        for (int i = 0; i < out.length; i++) out[i] = Array.get(arrayOrCollection, i);
        return out;
    }
}
