package web

import (
	"net/http"

	"github.com/liandong/liandong/internal/pack"
)

// routes lists every page and action of the web application, in one place.
// Reads are GET; everything that changes something is a POST carrying the
// session's CSRF token (checked in loadSession before any route runs).
func (h *Handler) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /assets/{path...}", h.serveAsset)

	mux.HandleFunc("GET /signin", h.signInForm)
	mux.HandleFunc("POST /signin", h.signIn)
	mux.HandleFunc("POST /signout", h.signOut)
	mux.HandleFunc("POST /language", h.switchLanguage)

	mux.HandleFunc("GET /{$}", h.signedIn(h.home))
	mux.HandleFunc("GET /mechanisms/{id}", h.signedIn(h.dashboard))

	mux.HandleFunc("GET /items", h.signedIn(h.itemList))
	mux.HandleFunc("GET /items/export.csv", h.signedIn(h.itemExportCSV))
	mux.HandleFunc("GET /items/export.xlsx", h.signedIn(h.itemExportXLSX))
	mux.HandleFunc("POST /items/bulk", h.signedIn(h.itemBulkEdit))
	mux.HandleFunc("POST /items/views", h.signedIn(h.itemViewSave))
	mux.HandleFunc("POST /items/views/{id}/delete", h.signedIn(h.itemViewDelete))
	mux.HandleFunc("GET /items/new", h.signedIn(h.itemNewForm))
	mux.HandleFunc("POST /items/new", h.signedIn(h.itemCreate))
	mux.HandleFunc("GET /items/{id}", h.signedIn(h.itemShow))
	mux.HandleFunc("POST /items/{id}/changes/{change}/confirm", h.signedIn(h.itemChangeDecide(true)))
	mux.HandleFunc("POST /items/{id}/changes/{change}/reject", h.signedIn(h.itemChangeDecide(false)))
	mux.HandleFunc("POST /items/{id}/milestones/from-schedule", h.signedIn(h.itemDeriveMilestones))

	mux.HandleFunc("GET /batches/new", h.signedIn(h.batchNewForm))
	mux.HandleFunc("POST /batches/new", h.signedIn(h.batchCreate))
	mux.HandleFunc("GET /imports/new", h.signedIn(h.importNewForm))
	mux.HandleFunc("POST /imports/new", h.signedIn(h.importUpload))
	mux.HandleFunc("GET /imports/{id}", h.signedIn(h.importMap))
	mux.HandleFunc("POST /imports/{id}/mapping", h.signedIn(h.importMappingSave))
	mux.HandleFunc("GET /imports/{id}/preview", h.signedIn(h.importPreview))
	mux.HandleFunc("POST /imports/{id}/units", h.signedIn(h.importUnits))
	mux.HandleFunc("POST /imports/{id}/apply", h.signedIn(h.importApply))

	mux.HandleFunc("GET /report", h.signedIn(h.reportForm))
	mux.HandleFunc("POST /report", h.signedIn(h.reportSave))
	mux.HandleFunc("POST /reports/{id}/correct", h.signedIn(h.reportCorrect))
	mux.HandleFunc("POST /reports/{id}/review", h.signedIn(h.reportReview))
	mux.HandleFunc("POST /reports/{id}/attachments", h.signedIn(h.reportAttach))
	mux.HandleFunc("GET /reports/{id}/attachments/{attachment}", h.signedIn(h.reportAttachment))

	mux.HandleFunc("GET /problems", h.signedIn(h.problemBoard))
	mux.HandleFunc("GET /problems/new", h.signedIn(h.problemNewForm))
	mux.HandleFunc("POST /problems/new", h.signedIn(h.problemRaise))
	mux.HandleFunc("GET /problems/{id}", h.signedIn(h.problemShow))
	mux.HandleFunc("POST /problems/{id}/escalate", h.signedIn(h.problemEscalate))
	mux.HandleFunc("POST /problems/{id}/resolve", h.signedIn(h.problemResolve))
	mux.HandleFunc("POST /problems/{id}/responsible", h.signedIn(h.problemAssign))

	mux.HandleFunc("GET /meetings", h.signedIn(h.meetingList))
	mux.HandleFunc("GET /meetings/{id}", h.signedIn(h.meetingShow))
	mux.HandleFunc("GET /meetings/{id}/pack.html", h.signedIn(h.meetingPack(pack.HTML)))
	mux.HandleFunc("GET /meetings/{id}/pack.md", h.signedIn(h.meetingPack(pack.Markdown)))
	mux.HandleFunc("GET /meetings/{id}/pack.docx", h.signedIn(h.meetingPack(pack.DOCX)))
	mux.HandleFunc("GET /meetings/{id}/pack.pdf", h.signedIn(h.meetingPack(pack.PDF)))
	mux.HandleFunc("GET /meetings/{id}/pack/edit", h.signedIn(h.meetingPackEdit))
	mux.HandleFunc("POST /meetings/{id}/pack/edit", h.signedIn(h.meetingPackSave))
	mux.HandleFunc("POST /meetings/{id}/pack/issue", h.signedIn(h.meetingPackIssue))
	mux.HandleFunc("POST /meetings/{id}/tasks", h.signedIn(h.meetingTaskCreate))
	mux.HandleFunc("GET /tasks", h.signedIn(h.taskList))
	mux.HandleFunc("GET /agreements", h.signedIn(h.agreementList))
	mux.HandleFunc("GET /catalogs", h.signedIn(h.catalogList))
	mux.HandleFunc("GET /catalogs/{id}", h.signedIn(h.catalogShow))
	mux.HandleFunc("GET /indicators", h.signedIn(h.indicatorList))

	mux.HandleFunc("GET /admin/users", h.signedIn(h.adminUsers))
	mux.HandleFunc("POST /admin/users", h.signedIn(h.adminUserCreate))
	mux.HandleFunc("GET /admin/jurisdictions", h.signedIn(h.adminJurisdictions))
	mux.HandleFunc("POST /admin/jurisdictions", h.signedIn(h.adminJurisdictionCreate))
	mux.HandleFunc("POST /admin/units", h.signedIn(h.adminUnitCreate))
	mux.HandleFunc("GET /admin/mechanisms", h.signedIn(h.adminMechanisms))
	mux.HandleFunc("GET /admin/mechanisms/{id}", h.signedIn(h.adminMechanismEdit))
	mux.HandleFunc("POST /admin/mechanisms/{id}", h.signedIn(h.adminMechanismSave))

	mux.HandleFunc("/", h.notFound)
	return mux
}
