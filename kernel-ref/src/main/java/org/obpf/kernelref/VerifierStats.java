package org.obpf.kernelref;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statistics the verifier writes at the end of its log (kernel/bpf/verifier.c,
 * {@code print_verification_stats}):
 *
 * <pre>
 * verification time 12 usec                         (log level with BPF_LOG_STATS)
 * stack depth 8+0                                   (BPF_LOG_STATS, one figure per subprogram)
 * processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
 * </pre>
 *
 * {@code mark_read} is absent in kernels that dropped read marks; it is -1 then. Time and stack
 * depth are empty without BPF_LOG_STATS.
 */
public record VerifierStats(int insnsProcessed, int insnLimit, int maxStatesPerInsn, int totalStates, int peakStates,
                            int markRead, OptionalLong verificationTimeUsec, List<Integer> stackDepth) {

    public VerifierStats {
        stackDepth = List.copyOf(stackDepth);
    }

    private static final Pattern PROCESSED = Pattern.compile(
            "^processed (\\d+) insns \\(limit (\\d+)\\) max_states_per_insn (\\d+) total_states (\\d+) peak_states (\\d+)(?: mark_read (\\d+))?",
            Pattern.MULTILINE);
    private static final Pattern TIME = Pattern.compile("^verification time (\\d+) usec", Pattern.MULTILINE);
    private static final Pattern STACK = Pattern.compile("^stack depth ([0-9+]+)", Pattern.MULTILINE);

    /** The statistics in a verifier log, empty if it has no {@code processed ...} line. */
    public static Optional<VerifierStats> parse(String log) {
        Matcher m = PROCESSED.matcher(log);
        if (!m.find()) return Optional.empty();
        Matcher t = TIME.matcher(log);
        OptionalLong time = t.find() ? OptionalLong.of(Long.parseLong(t.group(1))) : OptionalLong.empty();
        List<Integer> depth = new ArrayList<>();
        Matcher s = STACK.matcher(log);
        if (s.find()) {
            for (String d : s.group(1).split("\\+")) depth.add(Integer.parseInt(d));
        }
        return Optional.of(new VerifierStats(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                m.group(6) == null ? -1 : Integer.parseInt(m.group(6)), time, depth));
    }

    /** Lines the verifier writes that are not its complaint: statistics and the trace of the path. */
    private static final Pattern NOT_A_REASON = Pattern.compile(
            "^(processed \\d+ insns|verification time|stack depth|\\d+: |; |from \\d+ to \\d+|func#\\d+ @|last_idx|"
                    + "regs=|parent |mark_precise|\\s*$|Func#|Validating |caller:|callee:|returning from|to caller at|\\d+: safe|"
                    + "R\\d+(_w)?=|frame\\d+:|Live regs before insn:|\\s)");

    /**
     * The verifier's complaint in a refusal log: its first line that is neither statistics nor
     * part of the instruction trace ({@code 0: (95) exit}, {@code ; source}, {@code from 3 to 5},
     * register states, indented lines). At log level 1 the trace precedes it; the complaint itself may run over
     * more lines, only the first is returned. The whole log's first line if every line is trace.
     */
    public static String reason(String log) {
        String[] lines = log.split("\n");
        for (String line : lines) {
            if (!NOT_A_REASON.matcher(line).find()) return line.strip();
        }
        return lines.length == 0 ? "" : lines[0].strip();
    }
}
