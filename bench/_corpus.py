"""Words for the generated transcripts the benchmarks use (run the scripts from any folder)."""

VOCAB = (
    "I you we it that this what just really know think feel felt like so um uh yeah okay right "
    "mean sort kind of the a and but because when then there here again week sleep work mother "
    "father partner anxious angry tired scared safe better worse maybe sometimes never always "
    "session talk talking said say told help helpful trying try want wanted need needed can't "
    "don't didn't wasn't it's I'm you're that's hard easy little lot time times today yesterday"
).split()
