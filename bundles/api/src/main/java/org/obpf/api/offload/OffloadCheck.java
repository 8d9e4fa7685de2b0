package org.obpf.api.offload;

import java.util.List;
import org.obpf.api.jit.Refusal;

/**
 * The answer to "can this program go to this device": every reason it cannot, or none.
 *
 * @param device  the device asked about
 * @param reasons every reason it cannot; empty when it can
 */
public record OffloadCheck(String device, List<Refusal> reasons) {
    public OffloadCheck {
        reasons = List.copyOf(reasons);
    }

    public boolean offloadable() {
        return reasons.isEmpty();
    }

    @Override
    public String toString() {
        return offloadable() ? device + ": can offload"
                : device + ": cannot offload: " + String.join("; ", reasons.stream().map(Refusal::detail).toList());
    }
}
