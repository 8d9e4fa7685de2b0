/* Start-up for the C cross-check programs: main's results are in out[0..255], its return in a0. */
#include "rt.h"
    START
    call main
    la s11, out
    addi s11, s11, 1024
    FINISH
