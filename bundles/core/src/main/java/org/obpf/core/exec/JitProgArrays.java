package org.obpf.core.exec;

import java.util.concurrent.ConcurrentHashMap;

/** The prog arrays tail calls may use, by map address: what core binds behind {@code bpf_tail_call}. */
public final class JitProgArrays {
    private final ConcurrentHashMap<Long, JitProgArray> byAddress = new ConcurrentHashMap<>();
    private final java.util.function.LongFunction<JitProgArray> fallback;

    public JitProgArrays() {
        this(null);
    }

    /** With {@code fallback} answering map addresses not {@link #register registered} (may answer null). */
    public JitProgArrays(java.util.function.LongFunction<JitProgArray> fallback) {
        this.fallback = fallback;
    }

    public JitProgArray register(JitProgArray array) {
        byAddress.put(array.address(), array);
        return array;
    }

    public void unregister(JitProgArray array) {
        byAddress.remove(array.address(), array);
    }

    /** The prog array at {@code mapAddress}, or null. */
    public JitProgArray resolve(long mapAddress) {
        JitProgArray a = byAddress.get(mapAddress);
        return a != null || fallback == null ? a : fallback.apply(mapAddress);
    }
}
