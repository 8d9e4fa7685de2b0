package org.obpf.core.interp;

import java.util.concurrent.ConcurrentHashMap;

/** The prog arrays known to a set of runs, by address: a {@link ProgArrayResolver} to fill. */
public final class ProgArrays implements ProgArrayResolver {
    private final ConcurrentHashMap<Long, NativeProgArray> byAddress = new ConcurrentHashMap<>();

    public NativeProgArray register(NativeProgArray array) {
        byAddress.put(array.address(), array);
        return array;
    }

    public void unregister(NativeProgArray array) {
        byAddress.remove(array.address(), array);
    }

    @Override
    public ProgArray resolve(long mapAddress) {
        return byAddress.get(mapAddress);
    }
}
