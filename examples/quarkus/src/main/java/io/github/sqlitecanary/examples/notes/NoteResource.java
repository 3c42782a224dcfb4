package io.github.sqlitecanary.examples.notes;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** {@code GET /api/notes} lists the notes, {@code POST /api/notes} with {@code {"text":"..."}} adds one. */
@Path("/api/notes")
@Produces(MediaType.APPLICATION_JSON)
public class NoteResource {

    @Inject
    NoteStore store;

    @GET
    public List<Note> list() throws SQLException {
        return store.list();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response add(NewNote body, @Context UriInfo uri) throws SQLException {
        String text = body == null || body.text() == null ? "" : body.text().strip();
        if (text.isEmpty()) {
            return Response.status(Response.Status.BAD_REQUEST)
                    .entity(Map.of("error", "a note needs a non-empty \"text\"")).build();
        }
        Note note = store.add(text);
        return Response.created(uri.getAbsolutePathBuilder().path(Long.toString(note.id())).build())
                .entity(note).build();
    }
}
