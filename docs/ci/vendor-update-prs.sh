#!/usr/bin/env bash
# vendor-update-prs: open or update one pull request per updated vendor.toml entry (or one for
# all of them with --group), each on its own branch built from a clean base, so a PR holds only
# its entry's changes. The scheduled job of docs/ci/update.yml runs it; it runs anywhere with git,
# `vendor` and `gh` (authenticated through GH_TOKEN).
#
# usage: vendor-update-prs [--group] [--entry NAME]... [--base BRANCH] [--remote NAME]
#                          [--prefix PREFIX] [--report-dir DIR] [-- VENDOR-UPDATE-FLAGS...]
#
#   --group          one branch and PR (PREFIXall) for every updated entry
#   --entry NAME     consider only this entry (repeatable; default: all)
#   --base BRANCH    the branch PRs target (default: the branch checked out)
#   --remote NAME    where branches are pushed (default: origin)
#   --prefix PREFIX  branch name prefix (default: vendor/update-): vendor/update-NAME
#   --report-dir DIR keep the reports here (default: a temporary directory), outside the repo
#   -- FLAGS         passed on to every `vendor update` (e.g. --major); not entry names
#
# Re-running it is safe: a branch whose content and base are unchanged is not pushed again, an
# open PR for the branch is edited (title, body) instead of a second one being opened, and an
# entry with nothing to commit is skipped. `vendor update` exiting 1 (a patch broke) still opens
# the PR: its body shows the breakage.
#
# Exit: 0 every PR is open and current; 1 an entry could not be updated, pushed or proposed (the
# others still get theirs); 2 usage error or a work tree with uncommitted changes.
# Environment: VENDOR and GH name the commands (default: vendor, gh); VENDOR_BOT_NAME and
# VENDOR_BOT_EMAIL the commit author.
set -euo pipefail

vendor=${VENDOR:-vendor}
gh=${GH:-gh}
bot_name=${VENDOR_BOT_NAME:-github-actions[bot]}
bot_email=${VENDOR_BOT_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}
group=false
base=""
remote=origin
prefix=vendor/update-
reports=""
entries=()
extra=()

usage() {
  echo "vendor-update-prs: $1" >&2
  echo "usage: vendor-update-prs [--group] [--entry NAME]... [--base BRANCH] [--remote NAME] [--prefix PREFIX] [--report-dir DIR] [-- VENDOR-UPDATE-FLAGS...]" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --group) group=true ;;
    --entry | --base | --remote | --prefix | --report-dir)
      [ $# -ge 2 ] || usage "$1 needs a value"
      case "$1" in
        --entry) entries+=("$2") ;;
        --base) base=$2 ;;
        --remote) remote=$2 ;;
        --prefix) prefix=$2 ;;
        --report-dir) reports=$2 ;;
      esac
      shift
      ;;
    --)
      shift
      extra=("$@")
      break
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *) usage "unknown argument $1" ;;
  esac
  shift
done

top=$(git rev-parse --show-toplevel 2>/dev/null) || usage "not inside a git work tree"
cd "$top"
if [ -n "$(git status --porcelain)" ]; then
  git status --short >&2
  usage "the work tree has uncommitted changes; run on a clean checkout"
fi
if [ -z "$base" ]; then
  base=$(git symbolic-ref --short -q HEAD) || usage "HEAD is detached: name the base branch with --base"
fi
base_sha=$(git rev-parse --verify "$base^{commit}")

if [ -z "$reports" ]; then
  reports=$(mktemp -d)
fi
mkdir -p "$reports"
reports=$(cd "$reports" && pwd -P)
case "$reports/" in
  "$(pwd -P)"/*) usage "--report-dir $reports is inside the repository; use a directory outside it" ;;
esac

failed=0
# Back on the base branch, whatever happens.
trap 'git checkout -q --force "$base" 2>/dev/null || true' EXIT

# What would be updated: the names of the per-entry reports of a dry run.
plan="$reports/.plan" # not a possible entry name, so never an entry's report directory
rm -rf "$plan"
mkdir -p "$plan"
status=0
"$vendor" update --dry-run --report-dir "$plan" ${entries[@]+"${entries[@]}"} ${extra[@]+"${extra[@]}"} >/dev/null ||
  status=$?
if [ "$status" -ge 2 ]; then
  echo "vendor-update-prs: \`vendor update --dry-run\` failed (exit $status)" >&2
  exit 1
fi

# propose STEM ARGS...: on a fresh branch PREFIX+STEM from the base, run `vendor update ARGS`,
# commit what it changed, push the branch if its content or base changed, open or edit the PR.
propose() {
  local stem=$1
  shift
  local branch="$prefix$stem" out="$reports/$stem" code=0
  rm -rf "$out"
  mkdir -p "$out"
  git checkout -q --force -B "$branch" "$base_sha"
  git clean -q -f -d
  "$vendor" update "$@" --report-dir "$out" || code=$?
  if [ "$code" -ge 2 ]; then
    echo "vendor-update-prs: $stem: \`vendor update\` failed (exit $code); no PR" >&2
    failed=1
    return
  fi
  local report="$out/$stem.md" message="$out/$stem.commit-message.txt"
  if [ ! -f "$report" ]; then
    echo "$stem: nothing to update"
    return
  fi
  git add -A
  if git diff --cached --quiet; then
    echo "$stem: no change to commit"
    return
  fi
  git -c user.name="$bot_name" -c user.email="$bot_email" -c commit.gpgsign=false \
    commit -q --no-verify -F "$message"

  # Push unless the remote branch already holds this content on this base.
  local remote_sha="" lease=""
  if ! remote_sha=$(git ls-remote "$remote" "refs/heads/$branch" | cut -f1); then
    echo "vendor-update-prs: $stem: cannot reach $remote" >&2
    failed=1
    return
  fi
  if [ -n "$remote_sha" ]; then
    if ! git fetch -q --no-tags "$remote" "+refs/heads/$branch:refs/vendor-update-prs/$stem"; then
      echo "vendor-update-prs: $stem: cannot fetch $branch" >&2
      failed=1
      return
    fi
    local theirs="refs/vendor-update-prs/$stem"
    if [ "$(git rev-parse "$theirs^{tree}")" = "$(git rev-parse "HEAD^{tree}")" ] &&
      [ "$(git cat-file -p "$theirs" | sed -n 's/^parent //p')" = "$base_sha" ]; then
      echo "$stem: $branch is current"
    else
      lease="--force-with-lease=refs/heads/$branch:$remote_sha"
    fi
    git update-ref -d "$theirs"
  else
    lease="--force-with-lease=refs/heads/$branch:"
  fi
  if [ -n "$lease" ]; then
    if ! git push -q "$lease" "$remote" "HEAD:refs/heads/$branch"; then
      echo "vendor-update-prs: $stem: cannot push $branch" >&2
      failed=1
      return
    fi
    echo "$stem: pushed $branch"
  fi

  local title number
  title=$(head -n 1 "$message")
  if ! number=$("$gh" pr list --head "$branch" --base "$base" --state open --json number --jq '.[0].number // empty'); then
    echo "vendor-update-prs: $stem: cannot list pull requests" >&2
    failed=1
    return
  fi
  if [ -n "$number" ]; then
    "$gh" pr edit "$number" --title "$title" --body-file "$report" >/dev/null || failed=1
    echo "$stem: updated pull request #$number"
  else
    "$gh" pr create --base "$base" --head "$branch" --title "$title" --body-file "$report" || failed=1
  fi
  if [ "$code" -eq 1 ]; then
    echo "$stem: a patch no longer applies or a new error appeared; see the pull request" >&2
  fi
}

if [ "$group" = true ]; then
  if ls "$plan"/*.json >/dev/null 2>&1; then
    propose all --group ${entries[@]+"${entries[@]}"} ${extra[@]+"${extra[@]}"}
  else
    echo "nothing to update"
  fi
else
  found=false
  for json in "$plan"/*.json; do
    [ -e "$json" ] || continue
    found=true
    name=$(basename "$json" .json)
    propose "$name" "$name" ${extra[@]+"${extra[@]}"}
  done
  [ "$found" = true ] || echo "nothing to update"
fi
exit "$failed"
