# Script mode: writes OUT, a C++ file defining std::string_view <NS>::<FN>() over the bytes of
# IN (e.g. a protobuf descriptor set), for files that a raw string literal cannot hold.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR bytes "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," body "${hex}")
file(WRITE ${OUT} "// Generated from ${IN}; do not edit.\n#include <string_view>\n\nnamespace ${NS} {\nnamespace {\nconst char kBytes[] = {\n    ${body}};\n}  // namespace\n\nstd::string_view ${FN}() { return std::string_view(kBytes, ${bytes}); }\n\n}  // namespace ${NS}\n")
