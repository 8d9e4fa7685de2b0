package org.obpf.core.jit;

import org.obpf.api.jit.JitBackend;

/** Lets tests in other packages register back-ends the way the framework would. */
public final class JitDispatcherAccess {
    private final JitDispatcher dispatcher = new JitDispatcher();
    private long nextServiceId = 100;

    public JitDispatcher dispatcher() {
        return dispatcher;
    }

    public void add(JitBackend b) {
        dispatcher.add(b, b.arch(), nextServiceId++, null, "test", "1.0.0");
    }
}
