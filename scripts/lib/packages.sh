# Sourced by scripts/*: installs the Debian packages ctnn needs, only those that are missing.
# usage: ensure_packages pkg...
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "ctnn: installing missing packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# What building and testing ctnn needs on Debian 12.
CTNN_BUILD_PACKAGES=(cmake ninja-build g++ clang libclang-rt-14-dev pkg-config
                     libeigen3-dev libboost-dev libboost-test-dev zlib1g-dev libopenblas-dev)

# OpenBLAS picks its kernel when it loads, from OPENBLAS_CORETYPE or by its own detection. On AMD
# cores with AVX-512 (Zen 4 and later), Debian's OpenBLAS 0.3.21 detects an AVX2 kernel (Zen, that
# is Haswell's), slower there than Eigen's AVX-512 code; so where the CPU reports every AVX-512 subset
# that OpenBLAS's SkylakeX kernel uses (F, BW, DQ, VL), ask for that kernel. Everywhere else OpenBLAS's
# own detection stands (Haswell's kernel on AVX2 machines, older ones below that), and so does a core
# type the environment already pins. CTNN_OPENBLAS_CORETYPE, when set, is the user's choice and wins.
# Prints the choice on stderr.
choose_openblas_kernel() {
  if [ -n "${CTNN_OPENBLAS_CORETYPE:-}" ]; then
    export OPENBLAS_CORETYPE=$CTNN_OPENBLAS_CORETYPE
  elif [ -z "${OPENBLAS_CORETYPE:-}" ]; then
    local flags
    flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
    local f all=1
    for f in avx512f avx512bw avx512dq avx512vl; do
      [[ " $flags " == *" $f "* ]] || all=0
    done
    [ "$all" -eq 1 ] && export OPENBLAS_CORETYPE=SkylakeX
  fi
  echo "ctnn: OpenBLAS kernel: ${OPENBLAS_CORETYPE:-detected by OpenBLAS}" >&2
}
