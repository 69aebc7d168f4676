package admitscope

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/gitward/gitward/pkg/provenance"
)

// SecurityDocPath is the page whose scope section is generated.
const SecurityDocPath = "docs/security.md"

// Markers around the generated section of SecurityDocPath. Everything
// between them is replaced; everything around them is prose.
const (
	TableBegin = "<!-- BEGIN GENERATED: admission scope (pkg/admitscope; run `make generate`) -->"
	TableEnd   = "<!-- END GENERATED: admission scope -->"
)

// SecurityTable returns the generated section (without the markers): the
// webhooks and their paths, the exempt identities, the resources never
// sent and the excluded namespaces, in Markdown.
func SecurityTable() string {
	var b strings.Builder
	b.WriteString("| webhook | path | receives |\n|---|---|---|\n")
	for _, w := range Webhooks() {
		fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", w.Name(), w.Path(), w.Sends)
	}
	b.WriteString("\nAll three: operations CREATE, UPDATE and DELETE (CONNECT changes no object), " +
		"`failurePolicy: Fail`, `sideEffects: None`, " + fmt.Sprintf("`timeoutSeconds: %d`", TimeoutSeconds) +
		", and never a request from these namespaces (by `" + NamespaceNameLabel + "`): " + codeList(ExcludedNamespaces()) + ".\n")

	b.WriteString("\nExempt by exact identity (matchConditions `" + ConditionNotExemptUser + "` and `" +
		ConditionNotExemptGroup + "`; their requests never reach the webhook, and pkg/admit exempts the same names):\n\n" +
		"| identity | why |\n|---|---|\n")
	for _, c := range components {
		fmt.Fprintf(&b, "| `%s` | %s |\n", c.Name, c.Why)
	}
	fmt.Fprintf(&b, "| `%s<name>` for each of %s | kube-controller-manager's controllers with "+
		"`--use-service-account-credentials`, as the bootstrap RBAC policy of Kubernetes 1.36 names them |\n",
		ControllerServiceAccountUser(""), codeList(controllerServiceAccounts))
	for _, g := range exemptGroups {
		fmt.Fprintf(&b, "| group `%s` | %s |\n", g.Name, g.Why)
	}

	b.WriteString("\nNever sent (matchCondition `" + ConditionNotNeverSent + "`):\n\n| resource | why |\n|---|---|\n")
	for _, r := range neverSent {
		fmt.Fprintf(&b, "| `%s` | %s |\n", r, r.Why)
	}
	b.WriteString("\nThe ValidatingAdmissionPolicy floor (`manifests/vap`) has the same scope: every kind and " +
		"subresource carrying `" + provenance.LabelSource + "`, for CREATE and UPDATE, with the same matchConditions " +
		"and the same excluded namespaces.\n")
	return b.String()
}

// ReplaceSecurityTable returns doc with the section between TableBegin and
// TableEnd replaced by SecurityTable.
func ReplaceSecurityTable(doc []byte) ([]byte, error) {
	begin := bytes.Index(doc, []byte(TableBegin))
	end := bytes.Index(doc, []byte(TableEnd))
	if begin < 0 || end < begin {
		return nil, fmt.Errorf("admitscope: %s lacks the markers %q and %q (in this order)", SecurityDocPath, TableBegin, TableEnd)
	}
	var out bytes.Buffer
	out.Write(doc[:begin+len(TableBegin)])
	out.WriteString("\n\n" + SecurityTable() + "\n")
	out.Write(doc[end:])
	return out.Bytes(), nil
}

func codeList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = "`" + s + "`"
	}
	return strings.Join(q, ", ")
}
