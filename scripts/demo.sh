#!/usr/bin/env bash
# demo.sh: the main job, on the embedded SQLite store, in a scratch directory removed afterwards.
#
# A demo workspace goes through the whole cycle: application changes -> git clone ->
# edit -> git push (validated import) -> an application edit -> git pull; then a bad
# edit is refused with file:line:column diagnostics and the store is left unchanged.
set -euo pipefail

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME="Dana Developer" GIT_AUTHOR_EMAIL="dana@example.com"
export GIT_COMMITTER_NAME="Dana Developer" GIT_COMMITTER_EMAIL="dana@example.com"

step() { printf '\n== %s\n' "$*" >&2; }
cd "$work"

step "git workspace init demo.db (the embedded SQLite store, workspace 'main')"
git workspace init demo.db

step "the application creates two workflows, as two users"
cat > triage.yml <<'YAML'
type: workflow
alias: triage
definition:
  title: Triage an alert
  entrypoint: {ref: fetch}
  actions:
    - ref: fetch
      action: core.http_request
      args: {url: "https://example.com/alerts", method: GET}
YAML
cat > report.yml <<'YAML'
type: workflow
definition:
  title: Weekly report
  actions:
    - ref: summarize
      action: core.transform.reshape
      args: {value: "${{ TRIGGER }}"}
YAML
git workspace app put demo.db --file triage.yml --author "Ada App <ada@example.com>"
git workspace app put demo.db --file report.yml --author "Bo App <bo@example.com>"

step "git clone workspace::demo.db"
git clone -q "workspace::$work/demo.db" repo
cd repo
git log --format='%h %an: %s'
ls -R workflows

step "edit in git and git push (validated, atomic import)"
sed -i 's/title: Triage an alert/title: Triage every alert/' workflows/triage/definition.yml
git commit -qam "Retitle triage"
git push

step "the application edits the report; git pull brings exactly that commit"
cd "$work"
sed -i 's/title: Weekly report/title: Weekly report (v2)/' report.yml
printf 'id: weekly-report\n' >> report.yml
git workspace app put demo.db --file report.yml --author "Bo App <bo@example.com>"
cd repo
git pull -q
git log --format='%h %an: %s' -1 --stat

step "a broken edit (an unknown dependency) is refused and the store is unchanged"
before=$(git workspace app dump ../demo.db)
sed -i -E 's/^( *)action: core.http_request$/&\n\1depends_on: [missing]/' workflows/triage/definition.yml
git commit -qam "Break triage"
if git push; then
  echo "demo: the broken push was accepted" >&2
  exit 1
fi
[ "$before" = "$(git workspace app dump ../demo.db)" ] || { echo "demo: the store changed" >&2; exit 1; }
step "demo done: clone -> edit -> push -> app edit -> pull, and a refused push that changed nothing"
