package org.obpf.core.exec;

import java.util.concurrent.ConcurrentHashMap;

/** The prog arrays tail calls may use, by map address: what core binds behind {@code bpf_tail_call}. */
public final class JitProgArrays {
    private final ConcurrentHashMap<Long, JitProgArray> byAddress = new ConcurrentHashMap<>();

    public JitProgArray register(JitProgArray array) {
        byAddress.put(array.address(), array);
        return array;
    }

    public void unregister(JitProgArray array) {
        byAddress.remove(array.address(), array);
    }

    /** The prog array at {@code mapAddress}, or null. */
    public JitProgArray resolve(long mapAddress) {
        return byAddress.get(mapAddress);
    }
}
