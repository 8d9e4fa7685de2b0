package org.obpf.api.offload;

import java.util.List;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.jit.Refusal;

/** A device refused a program or map, with every reason it gave. */
public class OffloadException extends BpfException {
    private static final long serialVersionUID = 1L;
    private final List<Refusal> reasons;

    public OffloadException(String device, List<Refusal> reasons) {
        super(Errno.EINVAL, device + ": " + String.join("; ", reasons.stream().map(Refusal::detail).toList()));
        this.reasons = List.copyOf(reasons);
    }

    public List<Refusal> reasons() {
        return reasons;
    }
}
